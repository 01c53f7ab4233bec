import Testing
import PropertyBased
import TwinModel
