import Broker
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Metrics
import NIOCore
import TwinModel

/// What a rule does when its alert changes: publish the alert on an MQTT topic and POST it to a webhook at
/// every change (raised, escalated, deescalated, cleared); set desired state and queue a command when it is
/// raised. A failed action is logged and counted; it never stops the others or the engine.
struct RuleActions: Sendable {
    let store: TwinStore
    let broker: BrokerCore?
    let commands: DeviceCommands?
    let logger: Logger
    /// How long a webhook may take.
    static let webhookTimeout: TimeInterval = 5
    static let commandTimeToLive: Duration = .seconds(3_600)

    func run(_ actions: [Rule.Action], for alert: AlertRecord, event: AlertEvent, tenant: String) async {
        let document = Self.document(alert, event: event, tenant: tenant)
        for action in actions {
            switch action {
            case .alert:
                break  // stored already
            case .publish(let topic, let qos):
                var properties = MQTTProperties()
                properties.contentType = "application/json"
                broker?.publish(
                    MQTTMessage(topic: topic, payload: ByteBuffer(bytes: document.encoded()), qos: qos == 0 ? .atMostOnce : .atLeastOnce, properties: properties))
            case .setDesired(let patch) where event.kind == .raised:
                do {
                    try await store.patchTwin(alert.twin, section: .desired, with: .merge(patch), in: tenant, changedBy: "rule:\(alert.rule)")
                } catch {
                    failed("setDesired", alert: alert, error: error)
                }
            case .command(let name, let payload) where event.kind == .raised:
                guard let commands else { continue }
                do {
                    _ = try await commands.enqueue(
                        name, payload: payload, for: DeviceAddress(tenant: tenant, id: alert.twin), timeToLive: Self.commandTimeToLive,
                        timeout: .seconds(30), requestedBy: "rule:\(alert.rule)")
                } catch {
                    failed("command", alert: alert, error: error)
                }
            case .webhook(let url):
                Task { await post(document, to: url, alert: alert) }
            default:
                break
            }
        }
    }

    private func post(_ document: JSONValue, to url: URL, alert: AlertRecord) async {
        var request = URLRequest(url: url, timeoutInterval: Self.webhookTimeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(document.encoded())
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
                throw URLError(.badServerResponse)
            }
        } catch {
            failed("webhook", alert: alert, error: error)
        }
    }

    private func failed(_ action: String, alert: AlertRecord, error: any Error) {
        Counter(label: "doppel_rule_action_failures_total", dimensions: [("action", action)]).increment()
        logger.warning(
            "rule action failed", metadata: ["doppel.rule": "\(alert.rule)", "doppel.twin": "\(alert.twin)", "action": "\(action)", "error": "\(error)"])
    }

    /// The alert as actions send it: `{event, alert: {id, rule, twin, severity, state, …}}`.
    static func document(_ alert: AlertRecord, event: AlertEvent, tenant: String) -> JSONValue {
        ["event": .string(event.kind.rawValue), "at": .string(event.at.iso8601), "tenant": .string(tenant), "alert": AlertDocument.json(alert)]
    }
}

/// An alert as the API and the actions show it.
public enum AlertDocument {
    public static func json(_ alert: AlertRecord) -> JSONValue {
        var object: JSONObject = [
            "id": .string(alert.id), "rule": .string(alert.rule), "twin": .string(alert.twin), "severity": .string(alert.severity),
            "state": .string(alert.state.rawValue), "raisedAt": .string(alert.raisedAt.iso8601), "updatedAt": .string(alert.updatedAt.iso8601),
            "details": .object(alert.details),
        ]
        if let at = alert.acknowledgedAt { object["acknowledgedAt"] = .string(at.iso8601) }
        if let by = alert.acknowledgedBy { object["acknowledgedBy"] = .string(by) }
        if let at = alert.clearedAt { object["clearedAt"] = .string(at.iso8601) }
        return .object(object)
    }

    public static func json(_ event: AlertEvent) -> JSONValue {
        [
            "sequence": .int(event.sequence), "kind": .string(event.kind.rawValue), "at": .string(event.at.iso8601),
            "severity": .string(event.severity), "details": .object(event.details),
        ]
    }
}
