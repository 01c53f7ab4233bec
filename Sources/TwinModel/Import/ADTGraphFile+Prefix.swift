extension ADTGraphFile {
    /// The same graph with `prefix` before every twin id and the relationship ends that name them.
    ///
    /// gbXML and Brick ids are unique only within one file (two gbXML exports both have `aim0002`), so
    /// files imported into one tenant need a prefix each to stay apart. Relationship ids stay as they are:
    /// they are unique per source twin, and the source is prefixed.
    public func prefixingIDs(with prefix: String) -> ADTGraphFile {
        guard !prefix.isEmpty else { return self }
        var file = self
        for index in file.graph.twins.indices {
            file.graph.twins[index].id = prefix + file.graph.twins[index].id
        }
        for index in file.graph.relationships.indices {
            file.graph.relationships[index].source = prefix + file.graph.relationships[index].source
            file.graph.relationships[index].target = prefix + file.graph.relationships[index].target
        }
        return file
    }
}
