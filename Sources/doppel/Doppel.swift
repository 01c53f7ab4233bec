import ArgumentParser
import ServiceLifecycle
import API
@main struct Main { static func main() {} }
