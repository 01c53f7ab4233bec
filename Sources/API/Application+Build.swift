import Hummingbird
import Logging
import NIOCore
import Prometheus
import Sync
import TwinModel

/// Builds the HTTP application that `doppel serve` runs and the tests drive.
///
/// - Parameters:
///   - metrics: the registry `/metrics` renders; `nil` serves an empty exposition.
///   - commands: sends commands to devices over the broker; `nil` answers command requests with 503.
///   - onServerRunning: called with the bound port once the server listens (port 0 binds an ephemeral one).
public func buildApplication(
    store: TwinStore,
    configuration: APIConfiguration = APIConfiguration(),
    metrics: PrometheusCollectorRegistry? = nil,
    commands: DeviceCommands? = nil,
    deviceMessages: CloudToDeviceMessages? = nil,
    rules: RuleEngine? = nil,
    simulatedClock: SimulatedClock? = nil,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let imports = ImportJobs()
    let router = buildRouter(store: store, configuration: configuration, metrics: metrics, imports: imports, commands: commands, deviceMessages: deviceMessages,
        rules: rules, simulatedClock: simulatedClock)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "Doppel"
        ),
        services: [ImportRunner(jobs: imports, store: store)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// The router with every route and middleware, separate so tests can drive it without a socket.
public func buildRouter(
    store: TwinStore,
    configuration: APIConfiguration = APIConfiguration(),
    metrics: PrometheusCollectorRegistry? = nil,
    imports: ImportJobs = ImportJobs(),
    commands: DeviceCommands? = nil,
    deviceMessages: CloudToDeviceMessages? = nil,
    rules: RuleEngine? = nil,
    simulatedClock: SimulatedClock? = nil
) -> Router<DoppelRequestContext> {
    let router = Router(context: DoppelRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ProblemMiddleware())
    HealthController(store: store, metrics: metrics).addRoutes(to: router)
    let v1 = router.group("v1").add(middleware: BearerAuthMiddleware(store: store))
    let twins = v1.group("twins")
    TwinsController(store: store).addRoutes(to: twins)
    RelationshipsController(store: store).addRoutes(to: twins)
    DeviceStateController(store: store).addRoutes(to: twins)
    CommandsController(commands: commands, store: store).addRoutes(to: twins)
    let telemetry = TelemetryController(store: store)
    telemetry.addTwinRoutes(to: twins)
    telemetry.addStreamRoutes(to: v1.group("telemetry"))
    let devices = v1.group("devices")
    DevicesController(store: store).addRoutes(to: devices)
    DeviceMessagesController(messages: deviceMessages, store: store).addRoutes(to: devices)
    FleetController(store: store).addRoutes(to: v1.group("fleet"))
    RulesController(store: store, engine: rules).addRoutes(to: v1.group("rules"))
    AlertsController(store: store).addRoutes(to: v1.group("alerts"))
    if let simulatedClock { ClockController(clock: simulatedClock, engine: rules).addRoutes(to: v1.group("clock")) }
    ModelsController(store: store).addRoutes(to: v1.group("models"))
    TokensController(store: store).addRoutes(to: v1.group("tokens"))
    TenantController(store: store).addRoutes(to: v1.group("tenant"))
    QueryController(store: store, limits: configuration.queryLimits).addRoutes(to: v1.group("query"))
    ImportsController(jobs: imports).addRoutes(to: v1.group("imports"))
    return router
}
