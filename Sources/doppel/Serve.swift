import API
import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TwinModel

/// `doppel serve`: runs everything on embedded defaults until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Doppel service (HTTP API, MQTT broker, twin store).",
        discussion: """
            Every option can also be set with a DOPPEL_* environment variable (DOPPEL_DATA, DOPPEL_HTTP_PORT, …) \
            or in a JSON config file; flags win over the environment, which wins over the file.
            """
    )

    @Option(name: .customLong("data"), help: "Data directory (SQLite database, blobs, archive). Default ./doppel-data.")
    var data: String?

    @Option(name: .customLong("http-port"), help: "HTTP port; 0 binds an ephemeral port. Default 8080.")
    var httpPort: Int?

    @Option(name: .customLong("http-host"), help: "HTTP interface to bind. Default 0.0.0.0.")
    var httpHost: String?

    @Option(name: .customLong("mqtt-port"), help: "MQTT port; 0 binds an ephemeral port. Default 1883.")
    var mqttPort: Int?

    @Option(name: .customLong("mqtt-host"), help: "MQTT interface to bind. Default 0.0.0.0.")
    var mqttHost: String?

    @Option(name: .customLong("mqtts-port"), help: "MQTT over TLS port (with --tls-cert and --tls-key); 0 binds an ephemeral port. Default 8883.")
    var mqttsPort: Int?

    @Option(name: .customLong("mqtt-ws-port"), help: "MQTT over WebSocket port (path /mqtt); 0 binds an ephemeral port. Default 8083.")
    var mqttWebSocketPort: Int?

    @Option(name: .customLong("tls-cert"), help: "PEM server certificate (and intermediates) for MQTT over TLS.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(
        name: .customLong("tls-client-ca"),
        help: "PEM CA certificates whose device certificates are accepted; makes MQTT over TLS require one (mutual TLS).")
    var tlsClientCA: String?

    @Flag(
        name: .customLong("mqtt-allow-anonymous"),
        help: "Let MQTT clients without credentials use topics outside the device namespaces (tenant/, devices/, $aws/, $iothub/).")
    var mqttAllowAnonymous = false

    @Option(
        name: .customLong("telemetry-queue"),
        help: "Telemetry messages waiting for the store at most (default 100000); past it new ones are dropped and counted.")
    var telemetryQueue: Int?

    @Flag(
        name: .customLong("durable-ingest"),
        help: "Acknowledge QoS 1 telemetry only once it is committed (5.0 devices get the reason of a drop in the PUBACK).")
    var durableIngest = false

    @Flag(
        name: .customLong("simulated-clock"),
        help: "Testing only: telemetry and rules run on a clock that moves only through POST /v1/clock.")
    var simulatedClock = false

    @Option(name: .customLong("config"), help: "JSON config file (also DOPPEL_CONFIG).")
    var configFile: String?

    @Option(name: .customLong("admin-token"), help: "Admin bearer token to accept (at least 16 characters).")
    var adminToken: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Default info.")
    var logLevel: String?

    func run() async throws {
        var configuration = try resolvedConfiguration(environment: ProcessInfo.processInfo.environment)
        configuration.simulatedClock = simulatedClock
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "doppel")
        // Every MQTT connection holds a file: take all the operating system allows.
        logger.info("open files allowed", metadata: ["files": "\(FileLimit.raise())"])
        try await DoppelServer(configuration: configuration, metrics: registry, logger: logger).run()
    }

    /// Defaults, then the config file, then the environment, then flags.
    func resolvedConfiguration(environment: [String: String]) throws -> ServeConfiguration {
        var configuration = ServeConfiguration()
        if let file = configFile ?? environment["DOPPEL_CONFIG"] {
            try configuration.apply(ServeConfiguration.settings(fromFile: file), source: file)
        }
        try configuration.apply(ServeConfiguration.settings(fromEnvironment: environment), source: "environment")
        var flags: [String: String] = [:]
        flags["data"] = data
        flags["httpPort"] = httpPort.map(String.init)
        flags["httpHost"] = httpHost
        flags["mqttPort"] = mqttPort.map(String.init)
        flags["mqttHost"] = mqttHost
        if mqttAllowAnonymous { flags["mqttAllowAnonymous"] = "true" }
        flags["mqttsPort"] = mqttsPort.map(String.init)
        flags["mqttWsPort"] = mqttWebSocketPort.map(String.init)
        flags["tlsCert"] = tlsCertificate
        flags["tlsKey"] = tlsKey
        flags["tlsClientCa"] = tlsClientCA
        flags["telemetryQueue"] = telemetryQueue.map(String.init)
        if durableIngest { flags["durableIngest"] = "true" }
        flags["adminToken"] = adminToken
        flags["logLevel"] = logLevel
        try configuration.apply(flags, source: "command line")
        return try configuration.validated()
    }
}
