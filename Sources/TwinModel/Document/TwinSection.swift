import OrderedCollections

/// One versioned section of a twin — desired, reported, tags or properties — with its metadata.
public struct TwinSection: Sendable, Hashable {
    /// Which section this is, as paths and history name it.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case desired, reported, tags, properties
    }

    public var value: JSONObject
    /// Starts at 0 and grows by one with every accepted change to this section.
    public var version: Int64
    public var metadata: SectionMetadata

    public init(value: JSONObject = [:], version: Int64 = 0, metadata: SectionMetadata) {
        self.value = value
        self.version = version
        self.metadata = metadata
    }

    /// An empty section created at `time`.
    public static func empty(at time: Timestamp) -> TwinSection {
        TwinSection(metadata: SectionMetadata(lastUpdated: time, lastUpdatedVersion: 0))
    }

    /// Applies a merge patch after validating it and the size of the result; returns the change for history.
    public mutating func apply(
        mergePatch patch: JSONObject,
        kind: Kind,
        at time: Timestamp,
        limits: DocumentLimits
    ) throws(TwinModelError) -> SectionChange {
        try DocumentValidator(limits: limits).validate(patch: patch, section: kind.rawValue, keyRules: kind != .properties)
        var updated = JSONValue.object(value)
        updated.mergePatch(.object(patch))
        let updatedObject = updated.objectValue ?? [:]
        try Self.checkSize(of: updatedObject, kind: kind, limits: limits)
        let inverse = Self.inverse(of: patch, on: value)
        value = updatedObject
        version += 1
        metadata.record(patch: patch, at: time, version: version)
        return SectionChange(kind: kind, patch: patch, inverse: inverse, version: version, time: time)
    }

    /// Replaces the whole section (a `PUT`, or a JSON Patch result) as one recorded change.
    public mutating func replace(
        with newValue: JSONObject,
        kind: Kind,
        at time: Timestamp,
        limits: DocumentLimits
    ) throws(TwinModelError) -> SectionChange {
        let patch = JSONValue.object(value).mergePatch(to: .object(newValue)).objectValue ?? [:]
        return try apply(mergePatch: patch, kind: kind, at: time, limits: limits)
    }

    static func checkSize(of object: JSONObject, kind: Kind, limits: DocumentLimits) throws(TwinModelError) {
        let limit =
            switch kind {
            case .desired: limits.maximumDesiredBytes
            case .reported: limits.maximumReportedBytes
            case .tags: limits.maximumTagsBytes
            case .properties: limits.maximumPropertiesBytes
            }
        let bytes = JSONValue.encodedObjectByteCount(object)
        if bytes > limit { throw .sectionTooLarge(section: kind.rawValue, bytes: bytes, limit: limit) }
    }

    /// The merge patch that undoes `patch` applied to `old`: the previous values of the touched members.
    static func inverse(of patch: JSONObject, on old: JSONObject) -> JSONObject {
        var inverse = JSONObject(minimumCapacity: patch.count)
        for (key, newValue) in patch {
            let oldValue = old[key]
            if case .object(let nestedPatch) = newValue, case .object(let nestedOld)? = oldValue {
                inverse[key] = .object(Self.inverse(of: nestedPatch, on: nestedOld))
            } else {
                inverse[key] = oldValue ?? .null
            }
        }
        return inverse
    }
}

/// One accepted change to a section, as history keeps it.
public struct SectionChange: Sendable, Hashable {
    public var kind: TwinSection.Kind
    /// The merge patch that was applied.
    public var patch: JSONObject
    /// The merge patch that restores the previous state (the previous values of every touched member).
    public var inverse: JSONObject
    /// The section version after the change.
    public var version: Int64
    public var time: Timestamp
}
