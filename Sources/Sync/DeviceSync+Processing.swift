import Broker
import Logging
import NIOCore
import TwinModel

extension DeviceSync {
    /// One drained batch: connection changes, then reported patches in one transaction, then twin reads,
    /// then one delta per device that asked for one.
    func process(_ batch: [Work]) async {
        var reported: [(MQTTMessage, DeviceTopic, ReportedPatch)] = []
        var gets: [(MQTTMessage, DeviceTopic)] = []
        var reconcile: [DeviceAddress] = []
        var reconciling = Set<DeviceAddress>()
        var committed: [DeviceAddress: Twin] = [:]
        var shadows: [(MQTTMessage, ShadowTopic)] = []
        var azure: [(message: MQTTMessage, topic: AzureTopic, device: String)] = []
        for work in batch {
            switch work {
            case .connection(let device, let connected):
                do {
                    try await store.recordDeviceConnection(device.id, in: device.tenant, connected: connected)
                } catch {
                    logger.debug("connection of an unregistered device", metadata: ["doppel.device": "\(device.id)"])
                }
            case .shadow(let message, let topic):
                shadows.append((message, topic))
            case .azure(let message, let topic, let device):
                azure.append((message, topic, device))
            case .reconcile(let device, let twin):
                if reconciling.insert(device).inserted { reconcile.append(device) }
                if let twin, twin.version > committed[device]?.version ?? -1 { committed[device] = twin }
            case .request(let message, let topic) where topic.path == "twin/get":
                gets.append((message, topic))
            case .request(let message, let topic) where topic.path == "twin/rejected":
                await recordRejections(message, topic: topic)
            case .request(let message, let topic):
                switch Self.mergePatch(in: message) {
                case .success(let patch):
                    reported.append((message, topic, ReportedPatch(tenant: topic.tenant, twin: topic.device, patch: patch, changedBy: "device:\(topic.device)")))
                case .failure(let problem):
                    broker.publish(NativeReply.error(400, problem.reason, to: message, topic: topic))
                }
            }
        }
        await applyReported(reported)
        for (message, topic) in gets { await answerGet(message, topic: topic) }
        for (message, topic) in shadows { await answerShadow(message, topic: topic) }
        await processAzure(azure)
        await pushDeltas(to: reconcile, committed: committed)
    }

    private func applyReported(_ requests: [(MQTTMessage, DeviceTopic, ReportedPatch)]) async {
        guard !requests.isEmpty else { return }
        let results: [Result<ReportedOutcome, TwinModelError>]
        do {
            results = try await store.applyReported(requests.map(\.2))
        } catch {
            logger.error("reported state not stored", metadata: ["error": "\(error)"])
            for (message, topic, _) in requests { broker.publish(NativeReply.error(503, "not stored; retry", to: message, topic: topic)) }
            return
        }
        for ((message, topic, _), result) in zip(requests, results) {
            switch result {
            case .success(let outcome):
                broker.publish(NativeReply.reply(200, ["version": .int(outcome.reportedVersion)], to: message, topic: topic))
            case .failure(let error):
                broker.publish(NativeReply.error(NativeReply.status(of: error), error.description, to: message, topic: topic))
            }
        }
    }

    /// `twin/rejected`: `{key: reason}` for desired keys the device cannot apply; shown on the twin's state
    /// until desired changes the key again or it converges.
    private func recordRejections(_ message: MQTTMessage, topic: DeviceTopic) async {
        guard case .success(let object) = Self.mergePatch(in: message) else {
            broker.publish(NativeReply.error(400, "twin/rejected takes a JSON object of key → reason", to: message, topic: topic))
            return
        }
        var reasons: [String: String] = [:]
        for (key, value) in object {
            guard let reason = value.stringValue else {
                broker.publish(NativeReply.error(400, "the reason for \(key) must be a string", to: message, topic: topic))
                return
            }
            reasons[key] = reason
        }
        do {
            try await store.rejectDesired(reasons, of: topic.device, in: topic.tenant)
            broker.publish(NativeReply.reply(200, ["rejected": .array(reasons.keys.sorted().map(JSONValue.string))], to: message, topic: topic))
        } catch let error as TwinModelError {
            broker.publish(NativeReply.error(NativeReply.status(of: error), error.description, to: message, topic: topic))
        } catch {
            broker.publish(NativeReply.error(503, "not stored; retry", to: message, topic: topic))
        }
    }

    private func answerGet(_ message: MQTTMessage, topic: DeviceTopic) async {
        do {
            guard let twin = try await store.twin(topic.device, in: topic.tenant) else {
                broker.publish(NativeReply.error(404, "twin \"\(topic.device)\" not found", to: message, topic: topic))
                return
            }
            let body: JSONValue = [
                "desired": .object(twin.desired.value), "reported": .object(twin.reported.value),
                "delta": .object(twin.delta ?? [:]), "version": .int(twin.version),
                "desiredVersion": .int(twin.desired.version), "reportedVersion": .int(twin.reported.version),
            ]
            broker.publish(NativeReply.reply(200, body, to: message, topic: topic))
        } catch {
            broker.publish(NativeReply.error(503, "not read; retry", to: message, topic: topic))
        }
    }

    /// Publishes `{version, state}` on each device's delta topic when desired and reported differ. The delta
    /// is computed from the twin as the store holds it now, so a delta pushed later is never older than one
    /// pushed before: a twin as a desired change committed it (`committed`) stands in for a read only while
    /// its version is still the stored one.
    ///
    /// Only to connected devices: an offline one gets the latest delta, once, when its subscription becomes
    /// active again, instead of every intermediate delta queued in its session. The twins of one tenant are
    /// checked and read in one transaction each, so a fleet-wide change costs two reads, not one per device.
    func pushDeltas(to devices: [DeviceAddress], committed: [DeviceAddress: Twin]) async {
        // A named shadow's twin ({thing}.shadow.{name}) belongs to the thing's connection.
        let connected = devices.filter { broker.isConnected(clientID: ShadowTopic.shadow(ofTwin: $0.id).thing) }
        for (tenant, members) in Dictionary(grouping: connected, by: \.tenant) {
            var twins: [Twin] = []
            do {
                let snapshots = members.compactMap { committed[$0] }
                let current = snapshots.isEmpty ? [:] : try await store.twinVersions(snapshots.map(\.id), in: tenant)
                var stale: [String] = []
                for member in members {
                    if let snapshot = committed[member], current[member.id] == snapshot.version {
                        twins.append(snapshot)
                    } else {
                        stale.append(member.id)
                    }
                }
                if !stale.isEmpty { twins += try await store.twins(stale, in: tenant) }
            } catch {
                logger.error("deltas not computed", metadata: ["doppel.tenant": "\(tenant)", "error": "\(error)"])
                continue
            }
            for twin in twins {
                guard let delta = twin.delta, !delta.isEmpty else { continue }
                pushShadowDelta(of: twin, tenant: tenant)
                pushAzureDesired(of: twin, tenant: tenant)
                let body: JSONValue = ["version": .int(twin.desired.version), "state": .object(delta)]
                var properties = MQTTProperties()
                properties.contentType = "application/json"
                broker.publish(
                    MQTTMessage(
                        topic: DeviceTopic(tenant: tenant, device: twin.id, path: "twin/desired").name,
                        payload: ByteBuffer(bytes: body.encoded()), qos: .atLeastOnce, properties: properties))
            }
        }
    }

    /// The request's payload as a JSON object, or why not.
    static func mergePatch(in message: MQTTMessage) -> Result<JSONObject, BadRequest> {
        let bytes = Array(message.payload.readableBytesView)
        do {
            guard case .object(let object) = try JSONParser().parse(bytes) else {
                return .failure(BadRequest(reason: "the reported patch must be a JSON object"))
            }
            return .success(object)
        } catch {
            return .failure(BadRequest(reason: error.description))
        }
    }

    /// Why a device's request was refused, in words for the reply.
    struct BadRequest: Error {
        var reason: String
    }
}
