import TwinModel

/// The JSON documents of the shadow dialect, built from a twin's desired and reported sections: the shadow
/// version is the twin's version, timestamps are epoch seconds, and metadata carries a `timestamp` per leaf.
enum ShadowDocument {
    static func seconds(_ time: Timestamp) -> JSONValue {
        .int(time.milliseconds / 1000)
    }

    /// Whether the twin holds a shadow: AWS has none before the first update and after a delete.
    static func exists(_ twin: Twin?) -> Bool {
        guard let twin else { return false }
        return !twin.desired.value.isEmpty || !twin.reported.value.isEmpty
    }

    /// `{"key": {"timestamp": …}}` for every leaf of `value`, from the section's metadata.
    static func metadata(of value: JSONObject, _ metadata: SectionMetadata) -> JSONObject {
        var result = JSONObject()
        for (key, member) in value {
            let stamps = metadata.members[key] ?? metadata
            if case .object(let nested) = member {
                result[key] = .object(Self.metadata(of: nested, stamps))
            } else {
                result[key] = ["timestamp": seconds(stamps.lastUpdated)]
            }
        }
        return result
    }

    /// Every leaf of a request's patch stamped `time` (deleted keys too), as `update/accepted` reports them.
    static func metadata(ofPatch patch: JSONObject, at time: Timestamp) -> JSONObject {
        var result = JSONObject()
        for (key, member) in patch {
            if case .object(let nested) = member {
                result[key] = .object(metadata(ofPatch: nested, at: time))
            } else {
                result[key] = ["timestamp": seconds(time)]
            }
        }
        return result
    }

    /// `{state, metadata, version}`, without the sections that are empty; with `delta` when asked and there is one.
    static func document(of twin: Twin, includingDelta: Bool) -> JSONObject {
        var state = JSONObject()
        var metadata = JSONObject()
        for (name, section) in [("desired", twin.desired), ("reported", twin.reported)] where !section.value.isEmpty {
            state[name] = .object(section.value)
            metadata[name] = .object(Self.metadata(of: section.value, section.metadata))
        }
        if includingDelta, let delta = twin.delta, !delta.isEmpty {
            state["delta"] = .object(delta)
        }
        return ["state": .object(state), "metadata": .object(metadata), "version": .int(twin.version)]
    }

    /// The `get/accepted` response.
    static func getResponse(_ twin: Twin, clientToken: String?, at time: Timestamp) -> JSONValue {
        var document = document(of: twin, includingDelta: true)
        document["timestamp"] = seconds(time)
        if let clientToken { document["clientToken"] = .string(clientToken) }
        return .object(document)
    }

    /// The `update/delta` message: the desired keys that differ from reported, or `nil` when none do.
    static func delta(of twin: Twin, clientToken: String? = nil, at time: Timestamp) -> JSONValue? {
        guard let delta = twin.delta, !delta.isEmpty else { return nil }
        var document: JSONObject = [
            "version": .int(twin.version), "timestamp": seconds(time), "state": .object(delta),
            "metadata": .object(metadata(of: delta, twin.desired.metadata)),
        ]
        if let clientToken { document["clientToken"] = .string(clientToken) }
        return .object(document)
    }

    /// The `update/accepted` response: the request's state, its metadata, the new version.
    static func updateAccepted(_ request: ShadowRequest, version: Int64, at time: Timestamp) -> JSONValue {
        var state = JSONObject()
        var metadata = JSONObject()
        for (name, change) in [("desired", request.desired), ("reported", request.reported)] {
            switch change {
            case .unchanged: continue
            case .clear: state[name] = .null
            case .merge(let patch):
                state[name] = .object(patch)
                metadata[name] = .object(Self.metadata(ofPatch: patch, at: time))
            }
        }
        var document: JSONObject = [
            "state": .object(state), "metadata": .object(metadata), "version": .int(version), "timestamp": seconds(time),
        ]
        if let token = request.clientToken { document["clientToken"] = .string(token) }
        return .object(document)
    }

    /// The `update/documents` message: the shadow before and after an accepted update.
    static func documents(previous: Twin?, current: Twin, clientToken: String?, at time: Timestamp) -> JSONValue {
        var before: JSONObject = ["state": [:], "metadata": [:], "version": .int(0)]
        if let previous { before = document(of: previous, includingDelta: false) }
        var document: JSONObject = [
            "previous": .object(before), "current": .object(document(of: current, includingDelta: false)),
            "timestamp": seconds(time),
        ]
        if let clientToken { document["clientToken"] = .string(clientToken) }
        return .object(document)
    }

    /// The `delete/accepted` response.
    static func deleteAccepted(version: Int64, clientToken: String?, at time: Timestamp) -> JSONValue {
        var document: JSONObject = ["version": .int(version), "timestamp": seconds(time)]
        if let clientToken { document["clientToken"] = .string(clientToken) }
        return .object(document)
    }

    /// The `…/rejected` response.
    static func rejected(_ error: ShadowError, at time: Timestamp) -> JSONValue {
        var document: JSONObject = ["code": .int(Int64(error.code)), "message": .string(error.message), "timestamp": seconds(time)]
        if let token = error.clientToken { document["clientToken"] = .string(token) }
        return .object(document)
    }

    /// The bytes of desired and reported together, the size AWS limits to 8 KB.
    static let maximumStateBytes = 8 * 1024

    static func stateBytes(of twin: Twin) -> Int {
        JSONValue.object(["desired": .object(twin.desired.value), "reported": .object(twin.reported.value)]).encoded().count
    }
}
