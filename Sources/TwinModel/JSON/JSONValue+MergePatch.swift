import OrderedCollections

extension JSONValue {
    /// Applies an RFC 7396 merge patch: objects merge member by member, `null` deletes, anything else replaces.
    public func mergePatched(with patch: JSONValue) -> JSONValue {
        var result = self
        result.mergePatch(patch)
        return result
    }

    /// Applies an RFC 7396 merge patch in place.
    public mutating func mergePatch(_ patch: JSONValue) {
        guard case .object(let patchObject) = patch else {
            self = patch
            return
        }
        var target: JSONObject
        if case .object(let object) = self {
            target = object
            self = .null  // release our reference so `target` is mutated without a copy
        } else {
            target = [:]
        }
        for (key, value) in patchObject {
            if value.isNull {
                target.removeValue(forKey: key)
            } else if case .object = value {
                var member = target[key] ?? .null
                target[key] = .null
                member.mergePatch(value)
                target[key] = member
            } else {
                target[key] = value
            }
        }
        self = .object(target)
    }

    /// The merge patch that turns `self` into `other`; applying it to `self` gives a value JSON-equal to `other`.
    public func mergePatch(to other: JSONValue) -> JSONValue {
        guard case .object(let from) = self, case .object(let to) = other else { return other }
        var patch = JSONObject()
        for key in from.keys where to[key] == nil {
            patch[key] = .null
        }
        for (key, value) in to {
            if let old = from[key] {
                if old.isJSONEqual(to: value) { continue }
                if case .object = old, case .object = value {
                    patch[key] = old.mergePatch(to: value)
                } else {
                    patch[key] = value
                }
            } else {
                patch[key] = value
            }
        }
        return .object(patch)
    }
}
