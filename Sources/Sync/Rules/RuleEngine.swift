import Broker
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Synchronization
import TwinModel

/// The streaming rules: each rule watches the twins its scope query selects and evaluates its conditions on
/// every stored telemetry message of those twins (cost proportional to the rules that watch the twin, not
/// to all rules) and on a timer (for `for`, windows and quiet periods). Scopes are computed again when the
/// graph or the rules change, so a sensor moved into building 7 is watched without a restart.
///
/// All state lives on one task fed by a bounded queue; alert changes are stored in one transaction per
/// round, then the rule's actions run.
public final class RuleEngine: Service {
    enum Input: Sendable {
        case telemetry([TelemetryMessage])
        case rulesChanged(tenant: String)
        case graphChanged(tenant: String)
        case tick
    }

    struct RuleKey: Hashable {
        var tenant: String
        var id: String
    }

    struct TwinKey: Hashable {
        var tenant: String
        var twin: String
    }

    /// Most twins one rule's scope may select.
    public static let maximumScope = 100_000
    /// Telemetry batches waiting for the engine at most; past it batches are skipped and counted.
    public static let queueCapacity = 1_000

    let store: TwinStore
    let broker: BrokerCore?
    let commands: DeviceCommands?
    let clock: TelemetryClock
    let logger: Logger
    let queue = WorkQueue<Input>(capacity: RuleEngine.queueCapacity)
    let actions: RuleActions
    private let state = EngineState()
    private let skipped = Counter(label: "doppel_rules_skipped_batches_total")
    private let raisedCounter = Counter(label: "doppel_alerts_total", dimensions: [("event", "raised")])
    private let clearedCounter = Counter(label: "doppel_alerts_total", dimensions: [("event", "cleared")])

    public init(store: TwinStore, broker: BrokerCore?, commands: DeviceCommands?, clock: TelemetryClock = .system, logger: Logger) {
        self.store = store
        self.broker = broker
        self.commands = commands
        self.clock = clock
        self.logger = logger
        actions = RuleActions(store: store, broker: broker, commands: commands, logger: logger)
        store.observeGraphChanges { [queue] tenant in
            _ = queue.enqueue(.graphChanged(tenant: tenant), bypassingCapacity: true)
        }
        if case .simulated(let simulated) = clock {
            simulated.onAdvance { [queue] in _ = queue.enqueue(.tick, bypassingCapacity: true) }
        }
    }

    /// Feeds the engine from ingest: every stored batch.
    public func attach(to ingest: TelemetryIngest) {
        ingest.onStored { [weak self] messages, offsets in
            guard let self else { return }
            let stored = zip(messages, offsets).compactMap { $1 == nil ? nil : $0 }
            guard !stored.isEmpty else { return }
            if !self.queue.enqueue(.telemetry(stored)) { self.skipped.increment() }
        }
    }

    /// The tenant's rules changed (`PUT` / `DELETE /v1/rules/{id}`): they are read again and their scopes
    /// computed again before the next message is evaluated.
    public func rulesChanged(in tenant: String) {
        _ = queue.enqueue(.rulesChanged(tenant: tenant), bypassingCapacity: true)
    }

    public func run() async throws {
        do {
            for stored in try await store.rules() { state.dirtyTenants.insert(stored.tenant) }
        } catch {
            logger.error("rules not loaded", metadata: ["error": "\(error)"])
        }
        _ = queue.enqueue(.tick, bypassingCapacity: true)
        let ticker: Task<Void, Never>? =
            if case .system = clock {
                Task { [queue] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        _ = queue.enqueue(.tick, bypassingCapacity: true)
                    }
                }
            } else {
                nil
            }
        await cancelWhenGracefulShutdown {
            for await _ in self.queue.wakeups {
                await self.process(self.queue.drain())
            }
        }
        ticker?.cancel()
        queue.finish()
    }

    /// Waits until everything enqueued so far has been processed (for tests and the simulated clock).
    public func settle() async {
        await withCheckedContinuation { continuation in
            state.settleWaiters.withLock { $0.append(continuation) }
            _ = queue.enqueue(.tick, bypassingCapacity: true)
        }
    }

    // MARK: Processing

    func process(_ inputs: [Input]) async {
        var messages: [TelemetryMessage] = []
        var tick = false
        for input in inputs {
            switch input {
            case .telemetry(let batch): messages += batch
            case .rulesChanged(let tenant), .graphChanged(let tenant): state.dirtyTenants.insert(tenant)
            case .tick: tick = true
            }
        }
        var transitions: [(AlertTransition, RuleKey)] = []
        let dirty = state.dirtyTenants
        state.dirtyTenants.removeAll()
        for tenant in dirty { transitions += await rescope(tenant) }
        var twins: [TwinKey: Twin?] = [:]
        for message in messages {
            // One lookup per message; everything else the twin's rules need hangs off it.
            guard let watched = state.twins[TwinKey(tenant: message.tenant, twin: message.twin)] else { continue }
            let at = message.receivedAt.milliseconds
            for (name, value) in message.values { watched.latest[name] = value }
            if !watched.windows.isEmpty {
                for (metric, value) in message.numericMetrics { watched.windows[metric]?.add(value, at: at) }
                for window in watched.windows.values { window.advance(to: at) }
            }
            for watch in watched.watches {
                if let transition = await evaluate(watch, of: watched, at: at, twins: &twins) { transitions.append((transition, watch.rule)) }
            }
        }
        if tick {
            let now = clock.now.milliseconds
            for watched in state.twins.values {
                for window in watched.windows.values { window.advance(to: now) }
                for watch in watched.watches where watch.state.isTimed || watch.compiled.hasWindows {
                    if let transition = await evaluate(watch, of: watched, at: now, twins: &twins) { transitions.append((transition, watch.rule)) }
                }
            }
        }
        await apply(transitions)
        if tick {
            for waiter in state.settleWaiters.withLock({ waiters in defer { waiters.removeAll() }; return waiters }) { waiter.resume() }
        }
    }

    /// Evaluates one rule for one twin at `now`; the alert change it decides, if any.
    private func evaluate(_ watch: Watch, of watched: WatchedTwin, at now: Int64, twins: inout [TwinKey: Twin?]) async -> AlertTransition? {
        let compiled = watch.compiled
        var twinState: Twin?
        if compiled.readsTwin {
            if let cached = twins[watched.key] {
                twinState = cached
            } else {
                twinState = try? await store.twin(watched.key.twin, in: watched.key.tenant)
                twins[watched.key] = twinState
            }
        }
        let value: (RuleOperand) -> JSONValue? = { operand in
            switch operand {
            case .literal(let literal): return literal
            case .metric(let name): return Self.lookup(name, in: watched.latest)
            case .property(let section, let path):
                guard let twinState else { return nil }
                var current: JSONValue? = .object(twinState[section: section].value)
                for member in path { current = current?[member] }
                return current
            case .window(let function, let metric, let width, let tumbling):
                return watched.windows[metric]?.value(function, width: width, tumbling: tumbling, now: now).map(JSONValue.double)
            }
        }
        let rule = compiled.rule
        let held = rule.levels.first { $0.condition.holds(value) }?.severity
        let clearHolds = rule.clearCondition?.holds(value) ?? false
        guard let decision = watch.state.step(held: held, clearHolds: clearHolds, rule: rule, now: now) else { return nil }
        var details = JSONObject()
        for operand in compiled.reported {
            if let reading = value(operand) { details[Self.name(of: operand)] = reading }
        }
        let change: AlertTransition.Change =
            switch decision {
            case .raise(let severity): .raise(severity: severity.rawValue)
            case .clear: .clear
            }
        return AlertTransition(
            tenant: watched.key.tenant, rule: watch.rule.id, twin: watched.key.twin, change: change, at: Timestamp(milliseconds: now), details: details)
    }

    private func apply(_ transitions: [(AlertTransition, RuleKey)]) async {
        guard !transitions.isEmpty else { return }
        do {
            let changed = try await store.applyAlertTransitions(transitions.map(\.0), severityOrder: AlertSeverity.allCases.map(\.rawValue))
            for (record, event, tenant) in changed {
                let ruleKey = RuleKey(tenant: tenant, id: record.rule)
                if event.kind == .raised { raisedCounter.increment() }
                if event.kind == .cleared { clearedCounter.increment() }
                let ruleActions = state.rules[ruleKey]?.rule.actions ?? [.alert]
                await actions.run(ruleActions, for: record, event: event, tenant: tenant)
            }
        } catch {
            logger.error("alert changes not stored", metadata: ["error": "\(error)", "changes": "\(transitions.count)"])
        }
    }

    /// Reads the tenant's rules again and computes each scope; watches of twins that left a scope end, and
    /// their open alerts clear.
    private func rescope(_ tenant: String) async -> [(AlertTransition, RuleKey)] {
        let stored: [StoredRule]
        let open: [AlertRecord]
        do {
            stored = try await store.rules(in: tenant)
            open = try await store.alerts(in: tenant, states: [.active, .acknowledged], limit: .max)
        } catch {
            logger.error("rules not read", metadata: ["doppel.tenant": "\(tenant)", "error": "\(error)"])
            state.dirtyTenants.insert(tenant)
            return []
        }
        let now = clock.now.milliseconds
        var members: [RuleKey: Set<String>] = [:]
        for key in state.rules.keys where key.tenant == tenant { state.rules[key] = nil }
        for document in stored {
            let key = RuleKey(tenant: tenant, id: document.id)
            guard let rule = try? Rule.parse(id: document.id, document: document.document), rule.enabled else { continue }
            do {
                members[key] = Set(try await store.twinIDs(selectedBy: rule.scope, in: tenant, limit: Self.maximumScope))
            } catch {
                logger.warning("rule scope failed", metadata: ["doppel.rule": "\(document.id)", "error": "\(error)"])
                members[key] = []
            }
            state.rules[key] = CompiledRule(rule)
        }
        let cleared: JSONObject = ["reason": "the twin left the rule's scope, or the rule was removed or disabled"]
        var transitions: [(AlertTransition, RuleKey)] = []
        var previous: [TwinKey: WatchedTwin] = [:]
        for (key, watched) in state.twins where key.tenant == tenant { previous[key] = watched }
        // Watches that end: their open alerts clear.
        for (key, watched) in previous {
            for watch in watched.watches where watch.state.active != nil && members[watch.rule]?.contains(key.twin) != true {
                transitions.append(
                    (AlertTransition(tenant: tenant, rule: watch.rule.id, twin: key.twin, change: .clear, at: Timestamp(milliseconds: now), details: cleared), watch.rule))
            }
        }
        for alert in open where members[RuleKey(tenant: tenant, id: alert.rule)]?.contains(alert.twin) != true {
            guard !transitions.contains(where: { $0.0.rule == alert.rule && $0.0.twin == alert.twin }) else { continue }
            transitions.append(
                (
                    AlertTransition(tenant: tenant, rule: alert.rule, twin: alert.twin, change: .clear, at: Timestamp(milliseconds: now), details: cleared),
                    RuleKey(tenant: tenant, id: alert.rule)
                ))
        }
        // The tenant's twins, rebuilt: a watch that goes on keeps its state; a new one starts quiet, or open
        // when its alert is.
        var rebuilt: [TwinKey: WatchedTwin] = [:]
        for (ruleKey, twins) in members.sorted(by: { $0.key.id < $1.key.id }) {
            guard let compiled = state.rules[ruleKey] else { continue }
            for twin in twins {
                let twinKey = TwinKey(tenant: tenant, twin: twin)
                let watched: WatchedTwin
                if let existing = rebuilt[twinKey] {
                    watched = existing
                } else {
                    watched = WatchedTwin(key: twinKey, latest: previous[twinKey]?.latest ?? [:])
                    watched.windows = previous[twinKey]?.windows ?? [:]
                    if previous[twinKey] == nil { watched.latest = (try? await store.lastTelemetry(of: twin, in: tenant))?.values ?? [:] }
                    rebuilt[twinKey] = watched
                }
                var watchState = previous[twinKey]?.watches.first { $0.rule == ruleKey }?.state ?? RuleWatch()
                if watchState.active == nil, let alert = open.first(where: { $0.rule == ruleKey.id && $0.twin == twin }) {
                    watchState.active = AlertSeverity(rawValue: alert.severity)
                }
                watched.watches.append(Watch(rule: ruleKey, compiled: compiled, state: watchState))
                for (metric, widths) in compiled.windows { await ensureWindow(metric, of: watched, widths: widths, now: now) }
            }
        }
        for key in previous.keys { state.twins[key] = nil }
        for (key, watched) in rebuilt { state.twins[key] = watched }
        return transitions
    }

    /// Keeps a window for the metric with these widths, filled from the stored series when new.
    private func ensureWindow(_ metric: String, of watched: WatchedTwin, widths: CompiledRule.Widths, now: Int64) async {
        if let window = watched.windows[metric] {
            window.require(sliding: widths.sliding, tumbling: widths.tumbling)
            window.advance(to: now)
            return
        }
        let window = SampleWindow(sliding: widths.sliding, tumbling: widths.tumbling)
        // Twice the widest window: a tumbling window needs the whole previous bucket.
        let span = 2 * (widths.sliding.union(widths.tumbling).max() ?? 0)
        let points =
            (try? await store.telemetryPoints(
                of: watched.key.twin, metric: metric, in: watched.key.tenant, from: Timestamp(milliseconds: now - span),
                to: Timestamp(milliseconds: now + 1), limit: 100_000)) ?? []
        for point in points { window.add(point.value, at: point.at.milliseconds) }
        window.advance(to: now)
        watched.windows[metric] = window
    }

    static func lookup(_ name: String, in values: JSONObject) -> JSONValue? {
        if let direct = values[name] { return direct }
        var current: JSONValue? = .object(values)
        for member in name.split(separator: ".") { current = current?[String(member)] }
        return current
    }

    static func name(of operand: RuleOperand) -> String {
        switch operand {
        case .literal(let value): value.description
        case .metric(let name): name
        case .property(let section, let path): ([section.rawValue] + path).joined(separator: ".")
        case .window(let function, let metric, let width, let tumbling):
            "\(function.rawValue)(\(metric), \(width / 1_000)s\(tumbling ? ", tumbling" : ""))"
        }
    }
}

/// A rule with what its evaluation needs at hand.
struct CompiledRule {
    var rule: Rule
    /// Whether a condition reads a twin section.
    var readsTwin: Bool
    struct Widths {
        var sliding: Set<Int64> = []
        var tumbling: Set<Int64> = []
    }

    /// The window widths per metric.
    var windows: [String: Widths]
    /// The operands an alert's details report.
    var reported: [RuleOperand]

    var hasWindows: Bool { !windows.isEmpty }

    init(_ rule: Rule) {
        self.rule = rule
        var windows: [String: Widths] = [:]
        var readsTwin = false
        for operand in rule.operands {
            switch operand {
            case .window(_, let metric, let width, let tumbling):
                if tumbling { windows[metric, default: Widths()].tumbling.insert(width) } else { windows[metric, default: Widths()].sliding.insert(width) }
            case .property: readsTwin = true
            default: break
            }
        }
        self.windows = windows
        self.readsTwin = readsTwin
        reported = rule.operands.filter { if case .literal = $0 { false } else { true } }.sorted { RuleEngine.name(of: $0) < RuleEngine.name(of: $1) }
    }
}

/// One rule watching one twin.
final class Watch {
    let rule: RuleEngine.RuleKey
    let compiled: CompiledRule
    var state: RuleWatch

    init(rule: RuleEngine.RuleKey, compiled: CompiledRule, state: RuleWatch) {
        self.rule = rule
        self.compiled = compiled
        self.state = state
    }
}

/// A twin some rule watches: its latest telemetry, its windows and its watches, reached with one lookup.
final class WatchedTwin {
    let key: RuleEngine.TwinKey
    var latest: JSONObject
    var windows: [String: SampleWindow] = [:]
    var watches: [Watch] = []

    init(key: RuleEngine.TwinKey, latest: JSONObject) {
        self.key = key
        self.latest = latest
    }
}

/// The engine's state: touched only by its processing task (and `settleWaiters` under its lock).
final class EngineState: @unchecked Sendable {
    var rules: [RuleEngine.RuleKey: CompiledRule] = [:]
    var twins: [RuleEngine.TwinKey: WatchedTwin] = [:]
    var dirtyTenants = Set<String>()
    let settleWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])
}
