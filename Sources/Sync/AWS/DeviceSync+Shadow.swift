import Broker
import Logging
import NIOCore
import TwinModel

/// The AWS IoT Device Shadow dialect on the same twins: the classic shadow of thing `T` is the desired and
/// reported sections of twin `T` in the tenant `default`; named shadow `N` is twin `T.shadow.N`. The shadow
/// version is the twin's version.
extension DeviceSync {
    /// Where devices send shadow requests; replies on the same prefix come back here too and are ignored.
    static let shadowRequestFilter = "$aws/things/+/shadow/#"

    /// Queues the shadow requests devices publish. Only a thing's own client (AWS client ids are thing
    /// names) may change its shadows.
    static func subscribeShadowRequests(broker: BrokerCore, queue: WorkQueue<Work>) throws {
        _ = try broker.subscribe(shadowRequestFilter) { [queue, broker] message in
            guard let publisher = message.publisherClientID, let topic = ShadowTopic(message.topic), publisher == topic.thing else { return }
            if !queue.enqueue(.shadow(message, topic)) {
                let busy = ShadowError(code: 429, message: "Too many requests")
                broker.publish(shadowMessage(ShadowDocument.rejected(busy, at: .now), on: topic.reply("rejected")))
            }
        }
    }

    func answerShadow(_ message: MQTTMessage, topic: ShadowTopic) async {
        let time = Timestamp.now
        let request: ShadowRequest
        switch ShadowRequest.parse(Array(message.payload.readableBytesView), operation: topic.operation) {
        case .success(let parsed): request = parsed
        case .failure(let error): return rejectShadow(error, topic: topic, at: time)
        }
        do {
            switch topic.operation {
            case .get:
                let twin = try await store.twin(topic.twinID, in: DeviceCertificateAuthenticator.tenant)
                guard let twin, ShadowDocument.exists(twin) else { throw ShadowError.noShadow(topic, clientToken: request.clientToken) }
                publishShadow(ShadowDocument.getResponse(twin, clientToken: request.clientToken, at: time), on: topic.reply("accepted"))
            case .update:
                try await updateShadow(request, topic: topic, at: time)
            case .delete:
                try await deleteShadow(request, topic: topic, at: time)
            }
        } catch var error as ShadowError {
            error.clientToken = error.clientToken ?? request.clientToken
            rejectShadow(error, topic: topic, at: time)
        } catch let error as TwinModelError {
            var refusal: ShadowError
            switch error {
            case .preconditionFailed: refusal = .versionConflict
            case .sectionTooLarge: refusal = .tooLarge(clientToken: nil)
            case .twinNotFound: refusal = .noShadow(topic, clientToken: nil)
            default: refusal = ShadowError(code: 400, message: error.description)
            }
            refusal.clientToken = request.clientToken
            rejectShadow(refusal, topic: topic, at: time)
        } catch {
            logger.error("shadow request failed", metadata: ["doppel.device": "\(topic.thing)", "error": "\(error)"])
            rejectShadow(ShadowError(code: 500, message: "Internal service failure", clientToken: request.clientToken), topic: topic, at: time)
        }
    }

    private func updateShadow(_ request: ShadowRequest, topic: ShadowTopic, at time: Timestamp) async throws {
        let tenant = DeviceCertificateAuthenticator.tenant
        let changedBy = "device:\(topic.thing)"
        var twin: Twin
        if let existing = try await store.twin(topic.twinID, in: tenant) {
            twin = existing
        } else {
            do {
                twin = try await store.putTwin(topic.twinID, model: nil, properties: [:], in: tenant, createOnly: true, changedBy: changedBy, at: time)
                    .twin
            } catch TwinModelError.twinAlreadyExists {
                guard let created = try await store.twin(topic.twinID, in: tenant) else { throw ShadowError.noShadow(topic, clientToken: nil) }
                twin = created
            }
        }
        if let version = request.version, version != twin.version { throw ShadowError.versionConflict }
        let previous = ShadowDocument.exists(twin) ? twin : nil
        let patches = [(TwinSection.Kind.desired, request.desired), (.reported, request.reported)].compactMap { kind, change in
            Self.mergePatch(for: change, of: twin[section: kind].value).map { (kind, $0) }
        }
        // The 8 KB limit is on the state after the update: try it on a copy first.
        var result = twin
        for (kind, patch) in patches { _ = try result.apply(mergePatch: patch, to: kind, at: time) }
        guard ShadowDocument.stateBytes(of: result) <= ShadowDocument.maximumStateBytes else {
            throw ShadowError.tooLarge(clientToken: request.clientToken)
        }
        // With a version, every step must find the twin as the step before left it.
        for (kind, patch) in patches {
            twin = try await store.patchTwin(
                topic.twinID, section: kind, with: .merge(patch), in: tenant, ifMatch: request.version == nil ? nil : twin.etag,
                changedBy: changedBy, at: time)
        }
        publishShadow(ShadowDocument.updateAccepted(request, version: twin.version, at: time), on: topic.reply("accepted"))
        publishShadow(
            ShadowDocument.documents(previous: previous, current: twin, clientToken: request.clientToken, at: time),
            on: ShadowTopic.shadowPrefix(thing: topic.thing, shadowName: topic.shadowName) + "/update/documents")
    }

    private func deleteShadow(_ request: ShadowRequest, topic: ShadowTopic, at time: Timestamp) async throws {
        let tenant = DeviceCertificateAuthenticator.tenant
        guard var twin = try await store.twin(topic.twinID, in: tenant), ShadowDocument.exists(twin) else {
            throw ShadowError.noShadow(topic, clientToken: request.clientToken)
        }
        if let version = request.version, version != twin.version { throw ShadowError.versionConflict }
        for kind in [TwinSection.Kind.desired, .reported] {
            guard let patch = Self.mergePatch(for: .clear, of: twin[section: kind].value) else { continue }
            twin = try await store.patchTwin(
                topic.twinID, section: kind, with: .merge(patch), in: tenant, ifMatch: request.version == nil ? nil : twin.etag,
                changedBy: "device:\(topic.thing)", at: time)
        }
        publishShadow(ShadowDocument.deleteAccepted(version: twin.version, clientToken: request.clientToken, at: time), on: topic.reply("accepted"))
    }

    /// The merge patch that makes `change` to a section holding `current`; `nil` when there is nothing to do.
    static func mergePatch(for change: ShadowRequest.SectionChange, of current: JSONObject) -> JSONObject? {
        switch change {
        case .unchanged: nil
        case .clear: current.isEmpty ? nil : current.mapValues { _ in .null }
        case .merge(let patch): patch
        }
    }

    /// Publishes the AWS delta of a twin next to the native delta. Only the thing's own client may subscribe
    /// to its shadow topics, so for a twin that is no device's shadow nobody receives it.
    func pushShadowDelta(of twin: Twin, tenant: String) {
        guard tenant == DeviceCertificateAuthenticator.tenant else { return }
        let (thing, shadowName) = ShadowTopic.shadow(ofTwin: twin.id)
        let topic = ShadowTopic.shadowPrefix(thing: thing, shadowName: shadowName) + "/update/delta"
        guard broker.hasSubscribers(to: topic), let body = ShadowDocument.delta(of: twin, at: .now) else { return }
        publishShadow(body, on: topic)
    }

    private func rejectShadow(_ error: ShadowError, topic: ShadowTopic, at time: Timestamp) {
        publishShadow(ShadowDocument.rejected(error, at: time), on: topic.reply("rejected"))
    }

    private func publishShadow(_ body: JSONValue, on topic: String) {
        broker.publish(Self.shadowMessage(body, on: topic))
    }

    static func shadowMessage(_ body: JSONValue, on topic: String) -> MQTTMessage {
        var properties = MQTTProperties()
        properties.contentType = "application/json"
        return MQTTMessage(topic: topic, payload: ByteBuffer(bytes: body.encoded()), qos: .atLeastOnce, properties: properties)
    }
}
