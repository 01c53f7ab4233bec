import Hummingbird
import Prometheus
import Metrics
import TwinModel
