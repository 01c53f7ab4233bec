import OrderedCollections

/// A digital twin: ADT-style properties for every twin, plus desired, reported and tags for devices.
public struct Twin: Sendable, Hashable {
    public var id: String
    /// The DTMI of the twin's model, if it has one.
    public var model: String?
    public var properties: TwinSection
    public var desired: TwinSection
    public var reported: TwinSection
    public var tags: TwinSection
    /// Grows by one with every accepted change to any section or to the model.
    public var version: Int64
    public var createdAt: Timestamp
    /// The store's row number for this twin, never reused, so a twin re-created under the same id has
    /// other etags and its own history; 0 until the twin is stored.
    public var incarnation: Int64 = 0
    public var updatedAt: Timestamp

    /// A new twin at version 1 with empty device sections.
    public init(id: String, model: String? = nil, properties: JSONObject = [:], at time: Timestamp) {
        self.id = id
        self.model = model
        self.properties = TwinSection(
            value: properties,
            version: properties.isEmpty ? 0 : 1,
            metadata: SectionMetadata.stamping(properties, at: time, version: properties.isEmpty ? 0 : 1)
        )
        desired = .empty(at: time)
        reported = .empty(at: time)
        tags = .empty(at: time)
        version = 1
        createdAt = time
        updatedAt = time
    }

    public init(
        id: String, model: String?, properties: TwinSection, desired: TwinSection, reported: TwinSection,
        tags: TwinSection, version: Int64, createdAt: Timestamp, updatedAt: Timestamp, incarnation: Int64 = 0
    ) {
        self.incarnation = incarnation
        self.id = id
        self.model = model
        self.properties = properties
        self.desired = desired
        self.reported = reported
        self.tags = tags
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A weak HTTP entity tag naming this exact state of the twin.
    public var etag: String {
        Self.etag(incarnation: incarnation, version: version)
    }

    static func etag(incarnation: Int64, version: Int64) -> String {
        "W/\"\(String(incarnation, radix: 36))-\(version)\""
    }

    /// What the device still has to apply, or `nil` when reported agrees with desired.
    public var delta: JSONObject? {
        Delta.between(desired: desired.value, reported: reported.value)
    }

    public subscript(section kind: TwinSection.Kind) -> TwinSection {
        get {
            switch kind {
            case .desired: desired
            case .reported: reported
            case .tags: tags
            case .properties: properties
            }
        }
        set {
            switch kind {
            case .desired: desired = newValue
            case .reported: reported = newValue
            case .tags: tags = newValue
            case .properties: properties = newValue
            }
        }
    }

    /// Applies a merge patch to one section, bumping the twin's version.
    public mutating func apply(
        mergePatch patch: JSONObject,
        to kind: TwinSection.Kind,
        at time: Timestamp,
        limits: DocumentLimits = .standard
    ) throws(TwinModelError) -> SectionChange {
        try change(kind, at: time) { section throws(TwinModelError) in
            try section.apply(mergePatch: patch, kind: kind, at: time, limits: limits)
        }
    }

    /// Replaces a whole section (a `PUT`, an import) as one recorded change, bumping the twin's version.
    public mutating func replace(
        _ kind: TwinSection.Kind,
        with value: JSONObject,
        at time: Timestamp,
        limits: DocumentLimits = .standard
    ) throws(TwinModelError) -> SectionChange {
        try change(kind, at: time) { section throws(TwinModelError) in
            try section.replace(with: value, kind: kind, at: time, limits: limits)
        }
    }

    /// Sets the model as a change of its own, bumping the twin's version.
    public mutating func setModel(_ model: String?, at time: Timestamp) {
        self.model = model
        version += 1
        updatedAt = time
    }

    /// Runs one change on a copy of a section and keeps it, with a new twin version, only if it succeeds.
    private mutating func change(
        _ kind: TwinSection.Kind,
        at time: Timestamp,
        _ body: (inout TwinSection) throws(TwinModelError) -> SectionChange
    ) throws(TwinModelError) -> SectionChange {
        var section = self[section: kind]
        let change = try body(&section)
        self[section: kind] = section
        version += 1
        updatedAt = time
        return change
    }

    /// The path of the first member whose value is `null`, searching nested objects.
    static func firstNullMember(in object: JSONObject, path: String) -> String? {
        for (key, value) in object {
            switch value {
            case .null: return path + "." + key
            case .object(let nested):
                if let found = firstNullMember(in: nested, path: path + "." + key) { return found }
            default: continue
            }
        }
        return nil
    }

    /// Applies an RFC 6902 JSON Patch to one section; the result must still be an object.
    public mutating func apply(
        jsonPatch patch: JSONPatch,
        to kind: TwinSection.Kind,
        at time: Timestamp,
        limits: DocumentLimits = .standard
    ) throws(TwinModelError) -> SectionChange {
        let result: JSONValue
        do {
            result = try patch.applied(to: .object(self[section: kind].value))
        } catch {
            throw .invalidPatch(error)
        }
        guard case .object(let object) = result else {
            throw .notAnObject(path: kind.rawValue, found: result.typeName)
        }
        if let path = Self.firstNullMember(in: object, path: kind.rawValue) { throw .nullValue(path: path) }
        return try replace(kind, with: object, at: time, limits: limits)
    }
}
