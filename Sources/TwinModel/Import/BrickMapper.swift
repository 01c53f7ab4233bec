import OrderedCollections

/// Turns triples into twins and relationships, as `BrickFile` documents.
struct BrickMapper {
    private var ids: [RDFTerm: String] = [:]
    private var takenIDs: Set<String> = []
    private var warnings: [String] = []

    mutating func map(_ triples: [RDFTriple]) -> BrickFile {
        let headers = Set(triples.filter { $0.predicate == RDFVocabulary.type && $0.object == .iri(RDFVocabulary.owlOntology) }.map(\.subject))
        var entities = OrderedDictionary<RDFTerm, (types: [String], label: String?)>()
        var edges = OrderedSet<[String]>()
        var pending: [(source: RDFTerm, name: String, target: RDFTerm)] = []
        for triple in triples where !headers.contains(triple.subject) {
            if triple.predicate == RDFVocabulary.first || triple.predicate == RDFVocabulary.rest { continue }
            if case .literal = triple.subject { continue }
            entities[triple.subject, default: ([], nil)].types += []
            switch triple.predicate {
            case RDFVocabulary.type:
                if case .iri(let type) = triple.object { entities[triple.subject]!.types.append(type) }
            case RDFVocabulary.rdfsLabel:
                if case .literal(let text, _, let language) = triple.object, entities[triple.subject]!.label == nil || language == nil || language == "en" {
                    entities[triple.subject]!.label = text
                }
            default:
                guard let term = BrickFile.vocabularyTerm(triple.predicate), let relation = BrickFile.relationships[term.local] else { continue }
                if case .literal = triple.object {
                    warnings.append("\(Self.describe(triple.subject)) \(term.local) a literal; skipped")
                    continue
                }
                entities[triple.object, default: ([], nil)].types += []
                pending.append(relation.reversed ? (triple.object, relation.name, triple.subject) : (triple.subject, relation.name, triple.object))
            }
        }
        var graph = GraphImport()
        for (term, entity) in entities {
            let id = twinID(for: term)
            var properties: JSONObject = [:]
            if let label = entity.label { properties["name"] = .string(label) }
            if case .iri(let iri) = term { properties["iri"] = .string(iri) }
            let types = Array(OrderedSet(entity.types))
            if !types.isEmpty { properties["rdfTypes"] = .array(types.map { .string($0) }) }
            let model = model(for: types)
            if model == nil {
                warnings.append(types.isEmpty ? "\(Self.describe(term)) has no type; imported without a model"
                    : "\(Self.describe(term)) has no brick: or mapped rec: class; imported without a model")
            }
            graph.twins.append(ImportedTwin(id: id, model: model, properties: properties))
        }
        for edge in pending {
            let (source, target) = (ids[edge.source]!, ids[edge.target]!)
            guard edges.append([source, edge.name, target]).inserted else { continue }
            let preferred = "\(edge.name)-\(target)"
            let id = preferred.utf8.count <= 256 ? preferred : "\(edge.name)-\(edges.count)"
            graph.relationships.append(ImportedRelationship(id: id, source: source, target: target, name: edge.name))
        }
        return BrickFile(graph: graph, warnings: warnings)
    }

    private func model(for types: [String]) -> String? {
        let terms = types.compactMap(BrickFile.vocabularyTerm)
        if let rec = terms.first(where: { $0.rec && BrickFile.recModels[$0.local] != nil }) { return BrickFile.recModels[rec.local] }
        if let brick = terms.filter({ !$0.rec && BrickFile.isDTMISegment($0.local) }).map(\.local).min() {
            return "dtmi:digitaltwins:brick:\(brick);1"
        }
        return nil
    }

    private mutating func twinID(for term: RDFTerm) -> String {
        if let id = ids[term] { return id }
        let base: String
        switch term {
        case .iri(let iri):
            let local = iri.split(whereSeparator: { $0 == "#" || $0 == "/" }).last.map(String.init) ?? iri
            base = Self.sanitise(local.isEmpty ? iri : local)
        case .blank(let label): base = "blank-" + Self.sanitise(label)
        case .literal: base = "literal"
        }
        var id = base
        var suffix = 1
        while takenIDs.contains(id) {
            suffix += 1
            id = "\(base)-\(suffix)"
        }
        if suffix > 1 { warnings.append("\(Self.describe(term)) shares its local name with another node; twin id \"\(id)\"") }
        takenIDs.insert(id)
        ids[term] = id
        return id
    }

    static func sanitise(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(240).map { scalar in
            scalar == "/" || scalar == "+" || scalar == "#" || scalar.value <= 0x20 || (0x7F...0x9F).contains(scalar.value)
                || scalar.properties.isWhitespace ? "_" : scalar
        }))
    }

    static func describe(_ term: RDFTerm) -> String {
        switch term {
        case .iri(let iri): "<\(iri)>"
        case .blank(let label): "_:\(label)"
        case .literal(let text, _, _): "\"\(text)\""
        }
    }
}
