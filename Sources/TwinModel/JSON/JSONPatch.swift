/// An RFC 6902 JSON Patch: a list of operations applied in order, all or nothing.
public struct JSONPatch: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        case add(path: JSONPointer, value: JSONValue)
        case remove(path: JSONPointer)
        case replace(path: JSONPointer, value: JSONValue)
        case move(from: JSONPointer, path: JSONPointer)
        case copy(from: JSONPointer, path: JSONPointer)
        case test(path: JSONPointer, value: JSONValue)

        /// The operation's target location.
        public var path: JSONPointer {
            switch self {
            case .add(let path, _), .remove(let path), .replace(let path, _), .move(_, let path),
                .copy(_, let path), .test(let path, _):
                path
            }
        }
    }

    public var operations: [Operation]

    public init(operations: [Operation]) {
        self.operations = operations
    }

    /// Reads a patch document: a JSON array of operation objects.
    public init(_ document: JSONValue) throws(JSONPatchError) {
        guard case .array(let elements) = document else {
            throw JSONPatchError(index: nil, kind: .malformed, reason: "a JSON Patch must be an array of operations")
        }
        var operations: [Operation] = []
        operations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            operations.append(try Self.operation(element, index: index))
        }
        self.operations = operations
    }

    private static func operation(_ element: JSONValue, index: Int) throws(JSONPatchError) -> Operation {
        func malformed(_ reason: String) -> JSONPatchError { JSONPatchError(index: index, kind: .malformed, reason: reason) }
        guard case .object(let object) = element else { throw malformed("operation must be an object") }
        guard let op = object["op"]?.stringValue else { throw malformed("missing or non-string member \"op\"") }
        func pointer(_ member: String) throws(JSONPatchError) -> JSONPointer {
            guard let text = object[member]?.stringValue else { throw malformed("\"\(op)\" needs a string member \"\(member)\"") }
            do {
                return try JSONPointer(text)
            } catch {
                throw malformed(error.description)
            }
        }
        func value() throws(JSONPatchError) -> JSONValue {
            guard let value = object["value"] else { throw malformed("\"\(op)\" needs a member \"value\"") }
            return value
        }
        switch op {
        case "add": return .add(path: try pointer("path"), value: try value())
        case "remove": return .remove(path: try pointer("path"))
        case "replace": return .replace(path: try pointer("path"), value: try value())
        case "move": return .move(from: try pointer("from"), path: try pointer("path"))
        case "copy": return .copy(from: try pointer("from"), path: try pointer("path"))
        case "test": return .test(path: try pointer("path"), value: try value())
        default: throw malformed("unknown op \"\(op)\"")
        }
    }

    /// Applies every operation to a copy of `document`; on any failure the document is left as it was.
    ///
    /// `copy` and `add` can double a document with every operation, so the result is bounded after each
    /// one: past `maximumBytes` (encoded) the patch fails instead of growing without end.
    public func applied(to document: JSONValue, maximumBytes: Int = 1024 * 1024) throws(JSONPatchError) -> JSONValue {
        var result = document
        for (index, operation) in operations.enumerated() {
            do {
                try Self.apply(operation, to: &result)
            } catch {
                throw JSONPatchError(index: index, kind: error.kind, reason: error.reason)
            }
            if result.exceedsEncodedSize(maximumBytes) {
                throw JSONPatchError(index: index, kind: .malformed, reason: "the result would be larger than \(maximumBytes) bytes")
            }
        }
        return result
    }

    private struct Failure: Error {
        var kind: JSONPatchError.Kind
        var reason: String
    }

    private static func apply(_ operation: Operation, to document: inout JSONValue) throws(Failure) {
        switch operation {
        case .add(let path, let value):
            try add(value, at: path, in: &document)
        case .remove(let path):
            _ = try remove(at: path, in: &document)
        case .replace(let path, let value):
            guard document.value(at: path) != nil else {
                throw Failure(kind: .pathNotFound, reason: "nothing to replace at \"\(path)\"")
            }
            if path.tokens.isEmpty {
                document = value
            } else {
                _ = try remove(at: path, in: &document)
                try add(value, at: path, in: &document)
            }
        case .move(let from, let path):
            if path == from { return }
            if path.hasPrefix(from) {
                throw Failure(kind: .malformed, reason: "cannot move \"\(from)\" into its own child \"\(path)\"")
            }
            let value = try remove(at: from, in: &document)
            try add(value, at: path, in: &document)
        case .copy(let from, let path):
            guard let value = document.value(at: from) else {
                throw Failure(kind: .pathNotFound, reason: "nothing to copy at \"\(from)\"")
            }
            try add(value, at: path, in: &document)
        case .test(let path, let expected):
            guard let actual = document.value(at: path) else {
                throw Failure(kind: .testFailed, reason: "test failed: nothing at \"\(path)\"")
            }
            guard actual.isJSONEqual(to: expected) else {
                throw Failure(kind: .testFailed, reason: "test failed: \"\(path)\" is \(actual), not \(expected)")
            }
        }
    }

    private static func add(_ value: JSONValue, at path: JSONPointer, in document: inout JSONValue) throws(Failure) {
        guard let last = path.tokens.last else {
            document = value
            return
        }
        try modifyParent(of: path, in: &document) { parent throws(Failure) in
            switch parent {
            case .object(var object):
                parent = .null  // drop the extra reference so the member update happens in place
                object[last] = value
                parent = .object(object)
            case .array(var array):
                parent = .null
                let index: Int
                if last == "-" {
                    index = array.count
                } else if let parsed = JSONPointer.arrayIndex(last), parsed <= array.count {
                    index = parsed
                } else {
                    parent = .array(array)
                    throw Failure(kind: .pathNotFound, reason: "array index \"\(last)\" out of range in \"\(path)\"")
                }
                array.insert(value, at: index)
                parent = .array(array)
            default:
                throw Failure(kind: .pathNotFound, reason: "the parent of \"\(path)\" is a \(parent.typeName), not a container")
            }
        }
    }

    private static func remove(at path: JSONPointer, in document: inout JSONValue) throws(Failure) -> JSONValue {
        guard let last = path.tokens.last else {
            throw Failure(kind: .malformed, reason: "cannot remove the whole document")
        }
        var removed: JSONValue = .null
        try modifyParent(of: path, in: &document) { parent throws(Failure) in
            switch parent {
            case .object(var object):
                guard let value = object[last] else {
                    throw Failure(kind: .pathNotFound, reason: "nothing to remove at \"\(path)\"")
                }
                parent = .null
                object.removeValue(forKey: last)
                removed = value
                parent = .object(object)
            case .array(var array):
                guard let index = JSONPointer.arrayIndex(last), index < array.count else {
                    throw Failure(kind: .pathNotFound, reason: "array index \"\(last)\" out of range in \"\(path)\"")
                }
                parent = .null
                removed = array.remove(at: index)
                parent = .array(array)
            default:
                throw Failure(kind: .pathNotFound, reason: "nothing to remove at \"\(path)\"")
            }
        }
        return removed
    }

    /// Runs `body` on the container that holds the pointer's last token, in place.
    private static func modifyParent(
        of path: JSONPointer,
        in document: inout JSONValue,
        _ body: (inout JSONValue) throws(Failure) -> Void
    ) throws(Failure) {
        try modify(tokens: path.tokens.dropLast(), path: path, in: &document, body)
    }

    private static func modify(
        tokens: ArraySlice<String>,
        path: JSONPointer,
        in value: inout JSONValue,
        _ body: (inout JSONValue) throws(Failure) -> Void
    ) throws(Failure) {
        guard let token = tokens.first else {
            try body(&value)
            return
        }
        switch value {
        case .object(var object):
            guard var child = object[token] else {
                throw Failure(kind: .pathNotFound, reason: "no member \"\(token)\" on the way to \"\(path)\"")
            }
            value = .null
            object[token] = .null
            defer {
                object[token] = child
                value = .object(object)
            }
            try modify(tokens: tokens.dropFirst(), path: path, in: &child, body)
        case .array(var array):
            guard let index = JSONPointer.arrayIndex(token), index < array.count else {
                throw Failure(kind: .pathNotFound, reason: "array index \"\(token)\" out of range on the way to \"\(path)\"")
            }
            var child = array[index]
            value = .null
            array[index] = .null
            defer {
                array[index] = child
                value = .array(array)
            }
            try modify(tokens: tokens.dropFirst(), path: path, in: &child, body)
        default:
            throw Failure(kind: .pathNotFound, reason: "\"\(token)\" on the way to \"\(path)\" is inside a \(value.typeName)")
        }
    }
}

/// Why a JSON Patch is malformed or could not be applied.
public struct JSONPatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The patch document itself is not valid.
        case malformed
        /// A location the operation needs does not exist.
        case pathNotFound
        /// A `test` operation did not hold.
        case testFailed
    }

    /// The failing operation's position in the patch, when there is one.
    public var index: Int?
    public var kind: Kind
    public var reason: String

    public var description: String {
        if let index { return "JSON Patch operation \(index): \(reason)" }
        return "JSON Patch: \(reason)"
    }
}
