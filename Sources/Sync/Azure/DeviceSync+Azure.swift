import Broker
import Logging
import NIOCore
import TwinModel

/// The IoT Hub twin on the same twins: `$iothub/twin/GET`, reported `PATCH` and desired notifications.
///
/// `$iothub/…` topics name no device — the connection does — so every answer goes to the requesting
/// client alone (`BrokerCore.publish(_:toClient:)`). IoT Hub devices live in the tenant `default`.
extension DeviceSync {
    static let azureTenant = TwinStore.defaultTenant

    /// Subscribes to the twin requests of every IoT Hub device.
    func subscribeAzureRequests() throws {
        _ = try broker.subscribe("$iothub/twin/#") { [queue] message in
            guard let device = message.publisherClientID, let topic = AzureTopic(message.topic) else { return }
            switch topic {
            case .getTwin, .patchReported: _ = queue.enqueue(.azure(message, topic, device: device))
            case .methodResponse, .telemetry: return
            }
        }
    }

    /// Twin reads, then reported patches in one transaction, each answered on `$iothub/twin/res/…`.
    func processAzure(_ requests: [(message: MQTTMessage, topic: AzureTopic, device: String)]) async {
        var patches: [(device: String, requestID: String, patch: ReportedPatch)] = []
        for request in requests {
            switch request.topic {
            case .getTwin(let requestID):
                await answerAzureGet(device: request.device, requestID: requestID)
            case .patchReported(let requestID):
                switch Self.mergePatch(in: request.message) {
                case .success(let patch):
                    patches.append(
                        (request.device, requestID,
                         ReportedPatch(tenant: Self.azureTenant, twin: request.device, patch: patch, changedBy: "device:\(request.device)")))
                case .failure(let problem):
                    replyAzure(400, ["message": .string(problem.reason)], requestID: requestID, to: request.device)
                }
            case .methodResponse, .telemetry:
                continue
            }
        }
        guard !patches.isEmpty else { return }
        let results: [Result<ReportedOutcome, TwinModelError>]
        do {
            results = try await store.applyReported(patches.map(\.patch))
        } catch {
            for patch in patches { replyAzure(503, ["message": "not stored; retry"], requestID: patch.requestID, to: patch.device) }
            return
        }
        for (patch, result) in zip(patches, results) {
            switch result {
            case .success(let outcome):
                replyAzure(204, nil, requestID: patch.requestID, version: outcome.reportedVersion, to: patch.device)
            case .failure(let error):
                replyAzure(NativeReply.status(of: error), ["message": .string(error.description)], requestID: patch.requestID, to: patch.device)
            }
        }
    }

    private func answerAzureGet(device: String, requestID: String) async {
        guard let twin = try? await store.twin(device, in: Self.azureTenant) else {
            replyAzure(404, ["message": "twin not found"], requestID: requestID, to: device)
            return
        }
        var desired = twin.desired.value
        desired["$version"] = .int(twin.desired.version)
        var reported = twin.reported.value
        reported["$version"] = .int(twin.reported.version)
        replyAzure(200, ["desired": .object(desired), "reported": .object(reported)], requestID: requestID, to: device)
    }

    /// Desired state for an IoT Hub device, on the desired-properties topic with its `$version`. The whole
    /// desired section is sent (a superset of the change; deleted keys are not announced).
    func pushAzureDesired(of twin: Twin, tenant: String) {
        let topic = AzureTopic.desiredPatch(version: twin.desired.version)
        guard tenant == Self.azureTenant, broker.hasSubscribers(to: topic, clientID: twin.id) else { return }
        var desired = twin.desired.value
        desired["$version"] = .int(twin.desired.version)
        broker.publish(
            MQTTMessage(
                topic: topic, payload: ByteBuffer(bytes: JSONValue.object(desired).encoded()),
                qos: .atMostOnce),
            toClient: twin.id)
    }

    private func replyAzure(_ status: Int, _ body: JSONValue?, requestID: String, version: Int64? = nil, to device: String) {
        let payload = body.map { ByteBuffer(bytes: $0.encoded()) } ?? ByteBuffer()
        broker.publish(
            MQTTMessage(topic: AzureTopic.twinResponse(status: status, requestID: requestID, version: version), payload: payload, qos: .atMostOnce),
            toClient: device)
    }
}
