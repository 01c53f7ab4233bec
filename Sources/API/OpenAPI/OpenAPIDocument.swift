import TwinModel

/// The OpenAPI 3.1 document served at `/openapi.json`, built from `APIOperation.all`.
enum OpenAPIDocument {
    static let json: JSONValue = build()

    private static func build() -> JSONValue {
        var paths = JSONObject()
        for operation in APIOperation.all {
            var item = paths[operation.path]?.objectValue ?? [:]
            item[operation.method.lowercased()] = describe(operation)
            paths[operation.path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Doppel API", "version": "1",
                "description": "Digital twins, their graph and device state. Errors are application/problem+json.",
            ],
            "paths": .object(paths),
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }

    private static func describe(_ operation: APIOperation) -> JSONValue {
        var parameters: [JSONValue] = []
        for name in pathParameters(operation.path) {
            parameters.append(["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]])
        }
        for (name, description) in operation.query {
            parameters.append(["name": .string(name), "in": "query", "description": .string(description), "schema": ["type": "string"]])
        }
        var responses = JSONObject()
        var success: JSONObject = ["description": "Success"]
        if let schema = operation.success.schema {
            success["content"] = ["application/json": ["schema": reference(schema)]]
        }
        responses[String(operation.success.status)] = .object(success)
        if operation.created {
            var created = success
            created["description"] = "Created"
            responses["201"] = .object(created)
        }
        var errors = operation.errors
        if operation.role != nil { errors += [401, 403] }
        for status in errors.sorted() {
            responses[String(status)] = [
                "description": .string(reasons[status] ?? "Error"),
                "content": ["application/problem+json": ["schema": reference("Problem")]],
            ]
        }
        var object: JSONObject = [
            "summary": .string(operation.summary),
            "parameters": .array(parameters),
            "responses": .object(responses),
        ]
        if let role = operation.role {
            object["security"] = [["bearer": []]]
            object["x-doppel-role"] = .string(role.rawValue)
        } else {
            object["security"] = []
        }
        if let body = operation.body {
            var content = JSONObject()
            for mediaType in body.mediaTypes { content[mediaType] = ["schema": reference(body.schema)] }
            object["requestBody"] = ["required": true, "content": .object(content)]
        }
        return .object(object)
    }

    private static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    private static func reference(_ schema: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(schema)")]
    }

    private static let reasons: [Int: String] = [
        304: "Not modified", 400: "Invalid request", 401: "No or unknown bearer token", 403: "Role too low or tenant not allowed",
        404: "Not found", 409: "Conflict", 412: "Precondition failed", 413: "Too large", 415: "Unsupported media type",
        503: "Unavailable",
    ]

    private static let schemas: JSONValue = [
        "Problem": [
            "type": "object", "required": ["type", "title", "status", "detail"],
            "properties": ["type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"]],
        ],
        "Health": ["type": "object", "properties": ["status": ["type": "string"], "store": ["type": "string"]]],
        "Twin": [
            "type": "object", "description": "ADT twin: $dtId, $etag, $metadata ($model, per-property lastUpdateTime), properties.",
            "properties": [
                "$dtId": ["type": "string"], "$etag": ["type": "string"],
                "$metadata": ["type": "object", "properties": ["$model": ["type": ["string", "null"]]]],
            ],
            "additionalProperties": true,
        ],
        "Patch": ["description": "RFC 6902 JSON Patch (array) or RFC 7396 merge patch (object), by content type."],
        "Relationship": [
            "type": "object",
            "properties": [
                "$relationshipId": ["type": "string"], "$sourceId": ["type": "string"], "$targetId": ["type": "string"],
                "$relationshipName": ["type": "string"], "$etag": ["type": "string"],
            ],
            "required": ["$targetId", "$relationshipName"], "additionalProperties": true,
        ],
        "RelationshipList": ["type": "object", "properties": ["value": ["type": "array", "items": ["$ref": "#/components/schemas/Relationship"]]]],
        "DeviceState": [
            "type": "object",
            "properties": [
                "deviceId": ["type": "string"], "etag": ["type": "string"], "version": ["type": "integer"],
                "desired": ["type": "object"], "reported": ["type": "object"], "delta": ["type": "object"], "tags": ["type": "object"],
                "versions": ["type": "object"], "metadata": ["type": "object"],
                "rejected": ["type": "object"],
                "convergence": [
                    "type": "object",
                    "properties": ["convergedAt": ["type": ["string", "null"]], "keys": ["type": "object"]],
                ],
            ],
        ],
        "DeviceRegistration": [
            "type": "object", "additionalProperties": false,
            "description": "Absent members keep what is stored; null removes a credential.",
            "properties": [
                "deviceId": ["type": "string"], "model": ["type": "string"], "status": ["enum": ["enabled", "disabled"]],
                "secret": ["type": ["string", "null"], "minLength": 8, "description": "native MQTT password; stored hashed"],
                "sasKeys": [
                    "type": ["object", "null"], "required": ["primary"], "additionalProperties": false,
                    "properties": ["primary": ["type": "string", "contentEncoding": "base64"], "secondary": ["type": ["string", "null"], "contentEncoding": "base64"]],
                ],
                "x509Thumbprints": [
                    "type": ["array", "null"], "maxItems": 10,
                    "items": ["type": "string", "pattern": "^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$"],
                ],
            ],
        ],
        "DeviceConnection": [
            "type": "object",
            "properties": [
                "deviceId": ["type": "string"], "connectionState": ["enum": ["connected", "disconnected"]],
                "lastActivityTime": ["type": ["string", "null"], "format": "date-time"],
                "connectedAt": ["type": "string", "format": "date-time"], "disconnectedAt": ["type": "string", "format": "date-time"],
            ],
        ],
        "Device": [
            "allOf": [
                ["$ref": "#/components/schemas/DeviceConnection"],
                [
                    "type": "object",
                    "properties": [
                        "model": ["type": ["string", "null"]], "status": ["enum": ["enabled", "disabled"]],
                        "credentials": [
                            "type": "object", "description": "which credentials are set; secrets and keys are never shown",
                            "properties": [
                                "secret": ["type": "boolean"],
                                "sasKeys": ["type": "object", "properties": ["primary": ["type": "boolean"], "secondary": ["type": "boolean"]]],
                                "x509Thumbprints": ["type": "array", "items": ["type": "string"]],
                            ],
                        ],
                        "createdAt": ["type": "string", "format": "date-time"], "updatedAt": ["type": "string", "format": "date-time"],
                    ],
                ],
            ],
        ],
        "DeviceList": [
            "type": "object",
            "properties": ["value": ["type": "array", "items": ["$ref": "#/components/schemas/Device"]], "continuationToken": ["type": "string"]],
        ],
        "ModelUpload": ["type": "array", "items": ["type": "object", "required": ["@id"]]],
        "Model": [
            "type": "object",
            "properties": ["id": ["type": "string"], "uploadTime": ["type": "string"], "decommissioned": ["type": "boolean"], "model": ["type": "object"]],
        ],
        "ModelArray": ["type": "array", "items": ["$ref": "#/components/schemas/Model"]],
        "ModelList": ["type": "object", "properties": ["value": ["type": "array", "items": ["$ref": "#/components/schemas/Model"]]]],
        "QueryRequest": [
            "type": "object", "required": ["query"],
            "properties": ["query": ["type": "string", "maxLength": 8000], "continuationToken": ["type": ["string", "null"]]],
        ],
        "QueryPage": [
            "type": "object",
            "properties": ["value": ["type": "array", "items": ["type": "object"]], "continuationToken": ["type": "string"]],
        ],
        "ImportFile": ["description": "An ADT explorer JSON file or an ADT bulk-import NDJSON file."],
        "ImportJob": [
            "type": "object",
            "properties": [
                "id": ["type": "string"], "status": ["enum": ["queued", "running", "succeeded", "failed"]], "dryRun": ["type": "boolean"],
                "submittedAt": ["type": "string"], "finishedAt": ["type": "string"], "summary": ["type": "object"], "error": ["type": "string"],
            ],
        ],
        "TokenRequest": [
            "type": "object", "required": ["role", "name"],
            "properties": ["role": ["enum": ["viewer", "operator", "admin"]], "name": ["type": "string"], "tenant": ["type": "string"]],
        ],
        "Token": [
            "type": "object",
            "properties": ["token": ["type": "string"], "tenant": ["type": "string"], "role": ["type": "string"], "name": ["type": "string"]],
        ],
        "CommandRequest": [
            "type": "object", "additionalProperties": false,
            "properties": [
                "payload": [:], "timeoutSeconds": ["type": "number", "minimum": 1, "maximum": 300], "queue": ["type": "boolean"],
                "ttlSeconds": ["type": "number", "minimum": 1, "maximum": 604_800],
            ],
        ],
        "CommandResult": [
            "type": "object", "required": ["id", "status", "payload"],
            "properties": ["id": ["type": "string"], "status": ["type": "integer"], "payload": [:]],
        ],
        "Command": [
            "type": "object", "required": ["id", "name", "payload", "status", "requestedBy", "createdAt", "timeoutSeconds"],
            "properties": [
                "id": ["type": "string"], "name": ["type": "string"], "payload": [:],
                "status": ["enum": ["queued", "sent", "completed", "timedOut", "offline", "expired"]],
                "requestedBy": ["type": "string"], "createdAt": ["type": "string", "format": "date-time"],
                "expiresAt": ["type": "string", "format": "date-time"], "deliveredAt": ["type": "string", "format": "date-time"],
                "completedAt": ["type": "string", "format": "date-time"], "timeoutSeconds": ["type": "number"],
                "reply": ["type": "object", "properties": ["status": ["type": "integer"], "payload": [:]]],
            ],
        ],
        "TelemetrySeries": [
            "type": "object",
            "properties": [
                "twin": ["type": "string"], "metric": ["type": "string"], "from": ["type": "string", "format": "date-time"],
                "to": ["type": "string", "format": "date-time"], "interval": ["type": "string"],
                "aggregate": ["enum": ["avg", "min", "max", "sum", "count", "last"]], "source": ["enum": ["raw", "rollup-1m", "rollup-1h"]],
                "points": [
                    "type": "array",
                    "items": ["type": "object", "properties": ["at": ["type": "string", "format": "date-time"], "value": ["type": "number"]]],
                ],
                "values": ["type": "object"], "receivedAt": ["type": "string", "format": "date-time"],
                "deviceTime": ["type": "string", "format": "date-time"], "skewMillis": ["type": "integer"],
            ],
        ],
        "TelemetryRecord": [
            "type": "object", "required": ["offset", "twin", "receivedAt", "telemetry"],
            "properties": [
                "offset": ["type": "integer"], "twin": ["type": "string"], "receivedAt": ["type": "string", "format": "date-time"],
                "deviceTime": ["type": "string", "format": "date-time"], "telemetry": ["type": "object"],
            ],
        ],
        "Rule": [
            "type": "object", "required": ["scope", "condition"],
            "properties": [
                "scope": ["type": "string"], "condition": ["type": "string"], "for": ["type": "string"],
                "severity": ["enum": ["info", "warning", "minor", "major", "critical"]],
                "ladder": [
                    "type": "array",
                    "items": ["type": "object", "properties": ["condition": ["type": "string"], "severity": ["type": "string"]]],
                ],
                "clear": ["type": "object", "properties": ["condition": ["type": "string"], "quietFor": ["type": "string"]]],
                "actions": ["type": "array", "items": ["type": "object", "required": ["type"]]], "enabled": ["type": "boolean"],
                "id": ["type": "string"], "watching": ["type": "integer"],
            ],
        ],
        "RuleList": ["type": "object", "properties": ["value": ["type": "array", "items": ["$ref": "#/components/schemas/Rule"]]]],
        "Alert": [
            "type": "object", "required": ["id", "rule", "twin", "severity", "state", "raisedAt", "updatedAt", "details"],
            "properties": [
                "id": ["type": "string"], "rule": ["type": "string"], "twin": ["type": "string"], "severity": ["type": "string"],
                "state": ["enum": ["active", "acknowledged", "cleared"]], "raisedAt": ["type": "string", "format": "date-time"],
                "updatedAt": ["type": "string", "format": "date-time"], "acknowledgedAt": ["type": "string", "format": "date-time"],
                "acknowledgedBy": ["type": "string"], "clearedAt": ["type": "string", "format": "date-time"], "details": ["type": "object"],
                "events": ["type": "array", "items": ["type": "object"]],
            ],
        ],
        "AlertList": ["type": "object", "properties": ["value": ["type": "array", "items": ["$ref": "#/components/schemas/Alert"]]]],
        "AlertChange": [
            "type": "object",
            "properties": ["event": ["type": "object"], "alert": ["$ref": "#/components/schemas/Alert"]],
        ],
        "FleetDesiredRequest": [
            "type": "object", "required": ["patch"], "additionalProperties": false,
            "properties": [
                "patch": ["type": "object"], "query": ["type": "string"], "devices": ["type": "array", "items": ["type": "string"]],
            ],
        ],
        "FleetDesiredResult": [
            "type": "object", "required": ["matched", "changed", "missing"],
            "properties": [
                "matched": ["type": "integer"], "changed": ["type": "integer"], "missing": ["type": "array", "items": ["type": "string"]],
            ],
        ],
        "DeviceMessageRequest": [
            "type": "object", "additionalProperties": false,
            "properties": [
                "payload": [:], "base64": ["type": "string", "format": "byte"], "contentType": ["type": "string"],
                "properties": ["type": "object", "additionalProperties": ["type": "string"]],
                "ttlSeconds": ["type": "number", "minimum": 1, "maximum": 172_800],
            ],
        ],
        "DeviceMessage": [
            "type": "object", "required": ["id", "status", "bytes", "properties", "sentBy", "createdAt", "expiresAt"],
            "properties": [
                "id": ["type": "string"], "status": ["enum": ["queued", "delivered", "expired"]], "bytes": ["type": "integer"],
                "contentType": ["type": "string"], "properties": ["type": "object", "additionalProperties": ["type": "string"]],
                "sentBy": ["type": "string"], "createdAt": ["type": "string", "format": "date-time"],
                "expiresAt": ["type": "string", "format": "date-time"], "deliveredAt": ["type": "string", "format": "date-time"],
            ],
        ],
        "DeviceMessageList": [
            "type": "object", "properties": ["value": ["type": "array", "items": ["$ref": "#/components/schemas/DeviceMessage"]]],
        ],
        "CommandList": ["type": "object", "properties": ["value": ["type": "array", "items": ["$ref": "#/components/schemas/Command"]]]],
        "TenantSettings": [
            "type": "object", "additionalProperties": false,
            "properties": ["validation": ["enum": ["lenient", "strict"]]],
        ],
        "Tenant": [
            "type": "object",
            "properties": ["id": ["type": "string"], "validation": ["enum": ["lenient", "strict"]]],
        ],
    ]
}
