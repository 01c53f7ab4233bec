/// One problem in a DTDL document: where (file and JSON path) and why.
public struct DTDLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The document's name as the caller gave it.
    public var file: String
    /// A JSON path into the document, `$[0].contents[3].schema`; `$` for the document itself.
    public var path: String
    public var message: String
    /// 1-based line for JSON syntax errors, `nil` otherwise.
    public var line: Int?

    public init(file: String, path: String, message: String, line: Int? = nil) {
        self.file = file
        self.path = path
        self.message = message
        self.line = line
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file) \(path): \(message)"
    }
}

/// A model set that failed to load, with every problem found.
public struct DTDLParseFailure: Error, Sendable, CustomStringConvertible {
    public var errors: [DTDLError]

    public init(errors: [DTDLError]) { self.errors = errors }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
