/// A term of an RDF triple.
public enum RDFTerm: Sendable, Hashable {
    case iri(String)
    /// A blank node by its document-scoped label; `[]` and collections get generated labels starting with `%`.
    case blank(String)
    case literal(String, datatype: String?, language: String?)

    public var iriValue: String? {
        if case .iri(let iri) = self { return iri }
        return nil
    }
}

/// One statement: subject, predicate and object.
public struct RDFTriple: Sendable, Hashable {
    public var subject: RDFTerm
    public var predicate: String
    public var object: RDFTerm

    public init(_ subject: RDFTerm, _ predicate: String, _ object: RDFTerm) {
        self.subject = subject
        self.predicate = predicate
        self.object = object
    }
}

/// A Turtle syntax error at a 1-based line and column (in Unicode scalars).
public struct TurtleSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public var description: String { "\(line):\(column): \(reason)" }
}

/// Well-known vocabulary IRIs.
public enum RDFVocabulary {
    public static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    public static let type = rdf + "type"
    public static let first = rdf + "first"
    public static let rest = rdf + "rest"
    public static let nil_ = rdf + "nil"
    public static let xsd = "http://www.w3.org/2001/XMLSchema#"
    public static let rdfsLabel = "http://www.w3.org/2000/01/rdf-schema#label"
    public static let owlImports = "http://www.w3.org/2002/07/owl#imports"
    public static let owlOntology = "http://www.w3.org/2002/07/owl#Ontology"
}
