import TwinModel

/// One documented operation: what the OpenAPI document says of a route.
struct APIOperation {
    var method: String
    /// The path as the router prints it, e.g. `/v1/twins/{id}`.
    var path: String
    var summary: String
    /// The least role that may call it; `nil` for the open endpoints.
    var role: AccessRole?
    /// The request body's media types and schema reference, if it takes one.
    var body: (mediaTypes: [String], schema: String)?
    /// Success status and its schema reference (`nil` for no body).
    var success: (status: Int, schema: String?)
    /// The error statuses it may answer besides 401 / 403.
    var errors: [Int]
    var query: [(name: String, description: String)] = []
    /// A `PUT` that answers 201 with the same body when it created the resource.
    var created = false
}

extension APIOperation {
    /// Every route of the API. `OpenAPITests` checks this list against the router, both ways.
    static let all: [APIOperation] = [
        APIOperation(method: "GET", path: "/healthz", summary: "Liveness and store health", role: nil, body: nil, success: (200, "Health"), errors: [503]),
        APIOperation(method: "GET", path: "/metrics", summary: "Prometheus metrics", role: nil, body: nil, success: (200, nil), errors: []),
        APIOperation(method: "GET", path: "/openapi.json", summary: "This document", role: nil, body: nil, success: (200, nil), errors: []),
        APIOperation(
            method: "PUT", path: "/v1/twins/{id}", summary: "Create (If-None-Match: *) or replace a twin", role: .operator,
            body: (["application/json"], "Twin"), success: (200, "Twin"), errors: [400, 404, 412, 413], created: true),
        APIOperation(method: "GET", path: "/v1/twins/{id}", summary: "Read a twin", role: .viewer, body: nil, success: (200, "Twin"), errors: [304, 404]),
        APIOperation(
            method: "PATCH", path: "/v1/twins/{id}", summary: "JSON Patch or merge patch of a twin (If-Match)", role: .operator,
            body: (["application/json-patch+json", "application/merge-patch+json"], "Patch"), success: (204, nil),
            errors: [400, 404, 412, 413, 415]),
        APIOperation(
            method: "DELETE", path: "/v1/twins/{id}", summary: "Delete a twin", role: .operator, body: nil, success: (204, nil),
            errors: [404, 409, 412], query: [("cascade", "true also deletes the twin's relationships")]),
        APIOperation(
            method: "PUT", path: "/v1/twins/{id}/relationships/{relationshipId}", summary: "Create or replace a relationship",
            role: .operator, body: (["application/json"], "Relationship"), success: (200, "Relationship"), errors: [400, 404, 409, 412],
            created: true),
        APIOperation(
            method: "GET", path: "/v1/twins/{id}/relationships/{relationshipId}", summary: "Read a relationship", role: .viewer,
            body: nil, success: (200, "Relationship"), errors: [404]),
        APIOperation(
            method: "DELETE", path: "/v1/twins/{id}/relationships/{relationshipId}", summary: "Delete a relationship",
            role: .operator, body: nil, success: (204, nil), errors: [404, 412]),
        APIOperation(
            method: "GET", path: "/v1/twins/{id}/relationships", summary: "Outgoing relationships", role: .viewer, body: nil,
            success: (200, "RelationshipList"), errors: [404],
            query: [("name", "only relationships with this name"), ("relationshipName", "ADT's name for `name`")]),
        APIOperation(
            method: "GET", path: "/v1/twins/{id}/incomingrelationships", summary: "Incoming relationships", role: .viewer,
            body: nil, success: (200, "RelationshipList"), errors: [404]),
        APIOperation(
            method: "GET", path: "/v1/twins/{id}/state", summary: "Desired, reported, delta, metadata and versions",
            role: .viewer, body: nil, success: (200, "DeviceState"), errors: [404]),
        APIOperation(
            method: "PATCH", path: "/v1/twins/{id}/state/desired", summary: "Merge patch of desired state (If-Match)",
            role: .operator, body: (["application/merge-patch+json"], "Patch"), success: (200, "DeviceState"),
            errors: [400, 404, 412, 413, 415]),
        APIOperation(
            method: "POST", path: "/v1/twins/{id}/commands/{command}",
            summary: "Send a command to a connected device and wait for its answer (404 offline, 504 timeout), or queue it with a time to live (202 with the Command)",
            role: .operator, body: (["application/json"], "CommandRequest"), success: (200, "CommandResult"), errors: [400, 404, 429, 503, 504]),
        APIOperation(
            method: "GET", path: "/v1/twins/{id}/commands", summary: "The twin's command history, newest first (?limit=)", role: .viewer,
            body: nil, success: (200, "CommandList"), errors: [400, 404]),
        APIOperation(
            method: "GET", path: "/v1/twins/{id}/commands/{command}", summary: "One command and what became of it", role: .viewer,
            body: nil, success: (200, "Command"), errors: [404]),
        APIOperation(
            method: "PUT", path: "/v1/devices/{id}", summary: "Register a device (creating its twin) or change its registration",
            role: .operator, body: (["application/json"], "DeviceRegistration"), success: (200, "Device"), errors: [400, 404],
            created: true),
        APIOperation(
            method: "GET", path: "/v1/devices/{id}", summary: "A device's registration (credentials only as presence)",
            role: .viewer, body: nil, success: (200, "Device"), errors: [404]),
        APIOperation(
            method: "DELETE", path: "/v1/devices/{id}", summary: "Remove a device's registration (its twin stays)",
            role: .operator, body: nil, success: (204, nil), errors: [404]),
        APIOperation(
            method: "GET", path: "/v1/twins/{id}/telemetry",
            summary: "Last-known telemetry (no metric), or one metric's raw points or per-interval aggregates (?metric=&from=&to=&interval=&aggregate=)",
            role: .viewer, body: nil, success: (200, "TelemetrySeries"), errors: [400, 404]),
        APIOperation(
            method: "GET", path: "/v1/telemetry/stream",
            summary: "The telemetry log from ?fromOffset= or ?from= as NDJSON; with Accept: text/event-stream, then live",
            role: .viewer, body: nil, success: (200, "TelemetryRecord"), errors: [400]),
        APIOperation(
            method: "GET", path: "/v1/rules", summary: "The tenant's streaming rules", role: .viewer, body: nil,
            success: (200, "RuleList"), errors: []),
        APIOperation(
            method: "PUT", path: "/v1/rules/{id}",
            summary: "Create or replace a rule (scope query, condition, for, severity, ladder, clear, actions); errors name the member at fault",
            role: .admin, body: (["application/json"], "Rule"), success: (200, "Rule"), errors: [400], created: true),
        APIOperation(
            method: "GET", path: "/v1/rules/{id}", summary: "One rule", role: .viewer, body: nil, success: (200, "Rule"), errors: [404]),
        APIOperation(
            method: "DELETE", path: "/v1/rules/{id}", summary: "Remove a rule; its open alerts clear", role: .admin, body: nil,
            success: (204, nil), errors: [404]),
        APIOperation(
            method: "GET", path: "/v1/alerts", summary: "Alerts, newest first (?state=active|acknowledged|cleared|open&limit=)",
            role: .viewer, body: nil, success: (200, "AlertList"), errors: [400]),
        APIOperation(
            method: "GET", path: "/v1/alerts/stream",
            summary: "Server-sent events of alert changes (?after= an event sequence, or Last-Event-ID)", role: .viewer, body: nil,
            success: (200, "AlertChange"), errors: [400]),
        APIOperation(
            method: "GET", path: "/v1/alerts/{id}", summary: "One alert and its events", role: .viewer, body: nil,
            success: (200, "Alert"), errors: [404]),
        APIOperation(
            method: "POST", path: "/v1/alerts/{id}/ack", summary: "Acknowledge an open alert (409 when cleared)", role: .operator,
            body: nil, success: (200, "Alert"), errors: [404, 409]),
        APIOperation(
            method: "POST", path: "/v1/fleet/desired",
            summary: "One merge patch of desired for the twins a query selects, a list of ids, or every device; one transaction, then each connected device's delta",
            role: .operator, body: (["application/json"], "FleetDesiredRequest"), success: (200, "FleetDesiredResult"), errors: [400, 413]),
        APIOperation(
            method: "POST", path: "/v1/devices/{id}/messages",
            summary: "Queue a cloud-to-device message (IoT Hub C2D) with a time to live; delivered when the device subscribes",
            role: .operator, body: (["application/json"], "DeviceMessageRequest"), success: (202, "DeviceMessage"),
            errors: [400, 404, 413, 429, 503]),
        APIOperation(
            method: "GET", path: "/v1/devices/{id}/messages", summary: "The device's cloud-to-device messages, newest first",
            role: .viewer, body: nil, success: (200, "DeviceMessageList"), errors: [404]),
        APIOperation(
            method: "GET", path: "/v1/devices/{id}/connection", summary: "Connection state and last activity", role: .viewer,
            body: nil, success: (200, "DeviceConnection"), errors: [404]),
        APIOperation(
            method: "GET", path: "/v1/devices", summary: "The tenant's devices by id, 1,000 a page", role: .viewer, body: nil,
            success: (200, "DeviceList"), errors: [400], query: [("continuationToken", "the previous page's token, for the next page")]),
        APIOperation(
            method: "POST", path: "/v1/models", summary: "Upload an array of DTDL interfaces", role: .admin,
            body: (["application/json"], "ModelUpload"), success: (201, "ModelArray"), errors: [400, 412]),
        APIOperation(method: "GET", path: "/v1/models", summary: "List models", role: .viewer, body: nil, success: (200, "ModelList"), errors: []),
        APIOperation(method: "GET", path: "/v1/models/{dtmi}", summary: "Read a model", role: .viewer, body: nil, success: (200, "Model"), errors: [404]),
        APIOperation(method: "DELETE", path: "/v1/models/{dtmi}", summary: "Delete a model", role: .admin, body: nil, success: (204, nil), errors: [404]),
        APIOperation(
            method: "POST", path: "/v1/query", summary: "Run an ADT-style graph query, a page at a time", role: .viewer,
            body: (["application/json"], "QueryRequest"), success: (200, "QueryPage"), errors: [400]),
        APIOperation(
            method: "POST", path: "/v1/imports", summary: "Submit an ADT graph file (explorer JSON or bulk NDJSON) as an import job",
            role: .operator, body: (["application/json", "application/x-ndjson"], "ImportFile"), success: (202, "ImportJob"),
            errors: [400, 413],
            query: [
                ("format", "adt-json, adt-ndjson, gbxml or brick; detected when omitted"), ("dryRun", "true validates and reports only"),
                ("idPrefix", "put before every imported twin id (gbXML and Brick ids are unique only within one file)"),
            ]),
        APIOperation(
            method: "GET", path: "/v1/imports/{id}", summary: "An import job's status and summary", role: .viewer, body: nil,
            success: (200, "ImportJob"), errors: [404]),
        APIOperation(
            method: "POST", path: "/v1/tokens", summary: "Mint a bearer token (shown once)", role: .admin,
            body: (["application/json"], "TokenRequest"), success: (201, "Token"), errors: [400]),
        APIOperation(
            method: "GET", path: "/v1/tenant", summary: "The calling tenant's settings", role: .viewer, body: nil,
            success: (200, "Tenant"), errors: []),
        APIOperation(
            method: "PATCH", path: "/v1/tenant", summary: "Change settings (strict validation checks the whole graph first)",
            role: .admin, body: (["application/json"], "TenantSettings"), success: (200, "Tenant"), errors: [400]),
    ]
}
