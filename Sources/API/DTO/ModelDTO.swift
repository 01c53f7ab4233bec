import TwinModel

/// Models on the wire, in Azure Digital Twins' shape.
enum ModelDTO {
    /// ADT's model shape: `{"id", "uploadTime", "decommissioned", "model"}`.
    static func encode(_ model: StoredModel) -> JSONValue {
        ["id": .string(model.id), "uploadTime": .string(model.uploadedAt.iso8601), "decommissioned": false, "model": model.body]
    }
}
