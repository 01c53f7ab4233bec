import OrderedCollections

/// When each member of a section last changed, at every object level, as IoT Hub's `$metadata` does.
///
/// An object's own `lastUpdated` is the latest change to anything inside it; `lastUpdatedVersion` is the
/// section version of that change (IoT Hub shows it for desired properties).
public struct SectionMetadata: Sendable, Hashable {
    public var lastUpdated: Timestamp
    public var lastUpdatedVersion: Int64
    public var members: [String: SectionMetadata]

    public init(lastUpdated: Timestamp, lastUpdatedVersion: Int64, members: [String: SectionMetadata] = [:]) {
        self.lastUpdated = lastUpdated
        self.lastUpdatedVersion = lastUpdatedVersion
        self.members = members
    }

    /// Records a merge patch applied at `time` as section version `version`.
    public mutating func record(patch: JSONObject, at time: Timestamp, version: Int64) {
        lastUpdated = time
        lastUpdatedVersion = version
        for (key, value) in patch {
            if value.isNull {
                members.removeValue(forKey: key)
                continue
            }
            var member = members[key] ?? SectionMetadata(lastUpdated: time, lastUpdatedVersion: version)
            if case .object(let nested) = value {
                member.record(patch: nested, at: time, version: version)
            } else {
                member = SectionMetadata(lastUpdated: time, lastUpdatedVersion: version)
            }
            members[key] = member
        }
    }

    /// Rebuilds the metadata of a whole new value, every member stamped with `time` and `version`.
    public static func stamping(_ value: JSONObject, at time: Timestamp, version: Int64) -> SectionMetadata {
        var metadata = SectionMetadata(lastUpdated: time, lastUpdatedVersion: version)
        metadata.record(patch: value, at: time, version: version)
        return metadata
    }

    /// The metadata of the member at `path`, if it exists.
    public func member(at path: [String]) -> SectionMetadata? {
        var current = self
        for key in path {
            guard let next = current.members[key] else { return nil }
            current = next
        }
        return current
    }
}

extension SectionMetadata {
    /// IoT Hub's shape: `{"$lastUpdated": ISO-8601, "$lastUpdatedVersion"?: n, member: {…}}`.
    public func azureJSON(includeVersion: Bool) -> JSONValue {
        var object: JSONObject = ["$lastUpdated": .string(lastUpdated.iso8601)]
        if includeVersion { object["$lastUpdatedVersion"] = .int(lastUpdatedVersion) }
        for key in members.keys.sorted() {
            object[key] = members[key]!.azureJSON(includeVersion: includeVersion)
        }
        return .object(object)
    }

    /// Appends the compact storage form, `{"t": ms, "v": version, "m": {member: …}}`, to `output`.
    public func writeStorageJSON(to output: inout [UInt8]) {
        output.append(contentsOf: #"{"t":"#.utf8)
        JSONValue.int(lastUpdated.milliseconds).write(to: &output)
        output.append(contentsOf: #","v":"#.utf8)
        JSONValue.int(lastUpdatedVersion).write(to: &output)
        if !members.isEmpty {
            output.append(contentsOf: #","m":{"#.utf8)
            var first = true
            for (key, member) in members {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.writeStorageJSON(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Reads the storage form written by `writeStorageJSON(to:)`.
    public init?(storageJSON: JSONValue) {
        guard let milliseconds = storageJSON["t"]?.intValue, let version = storageJSON["v"]?.intValue else { return nil }
        var members: [String: SectionMetadata] = [:]
        if let nested = storageJSON["m"]?.objectValue {
            members.reserveCapacity(nested.count)
            for (key, value) in nested {
                guard let member = SectionMetadata(storageJSON: value) else { return nil }
                members[key] = member
            }
        }
        self.init(lastUpdated: Timestamp(milliseconds: milliseconds), lastUpdatedVersion: version, members: members)
    }
}
