import API
import Broker
import Sync
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import TwinModel
import UnixSignals

/// Composes the services of `doppel serve` in one `ServiceGroup` and shuts them down gracefully.
struct DoppelServer {
    let configuration: ServeConfiguration
    let metrics: PrometheusCollectorRegistry
    let logger: Logger

    func run() async throws {
        let directory = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try TwinStore(path: directory.appendingPathComponent("doppel.sqlite").path, logger: logger)
        let mqtt = try MQTTListeners(configuration: configuration, registry: store)
        try await FirstStart(store: store, logger: logger).ensureAdminToken(configuration.adminToken)

        let ports = PortsFile(directory: directory, listeners: mqtt.names.union(["http"]))
        @Sendable func record(_ listener: String, port: Int) {
            do {
                try ports.record(listener, port: port)
            } catch {
                logger.error("cannot write ports.json", metadata: ["error": "\(error)"])
            }
        }

        var brokerLogger = logger
        brokerLogger[metadataKey: "component"] = "broker"
        let brokerCore = BrokerCore(logger: brokerLogger)
        // Restores sessions and retained messages before the listener accepts anyone.
        let brokerPersistence = try BrokerPersistence(
            core: brokerCore, path: directory.appendingPathComponent("broker.sqlite").path, logger: brokerLogger)
        let brokers = mqtt.servers(core: brokerCore, logger: brokerLogger) { name, port in record(name, port: port) }
        var syncLogger = logger
        syncLogger[metadataKey: "component"] = "sync"
        let deviceSync = try DeviceSync(store: store, broker: brokerCore, logger: syncLogger)
        let simulatedClock = configuration.simulatedClock ? SimulatedClock() : nil
        let clock = simulatedClock.map(TelemetryClock.simulated) ?? .system
        var telemetryConfiguration = TelemetryIngest.Configuration()
        telemetryConfiguration.queueCapacity = configuration.telemetryQueue
        telemetryConfiguration.durable = configuration.durableIngest
        let telemetry = try TelemetryIngest(
            store: store, broker: brokerCore, configuration: telemetryConfiguration, clock: clock, logger: syncLogger)
        let rules = RuleEngine(store: store, broker: brokerCore, commands: deviceSync.commands, clock: clock, logger: syncLogger)
        rules.attach(to: telemetry)
        let retention = TelemetryRetention(
            store: store, archiveDirectory: directory.appendingPathComponent("archive"), clock: clock, logger: syncLogger)

        var apiConfiguration = APIConfiguration()
        apiConfiguration.host = configuration.httpHost
        apiConfiguration.port = configuration.httpPort
        let application = buildApplication(
            store: store, configuration: apiConfiguration, metrics: metrics, commands: deviceSync.commands,
            deviceMessages: deviceSync.cloudToDevice, rules: rules, simulatedClock: simulatedClock, logger: logger
        ) { port in
            logger.notice("HTTP API listening", metadata: ["http.port": "\(port)"])
            record("http", port: port)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // Stopped in reverse order: the listener first, then the last write of the broker's state.
                services: [brokerPersistence, BrokerMonitor(core: brokerCore, logger: brokerLogger), deviceSync, telemetry, rules, retention, application] + brokers,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        ports.remove()
        logger.notice("stopped")
    }
}
