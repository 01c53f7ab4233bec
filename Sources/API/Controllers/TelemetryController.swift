import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TwinModel

/// Telemetry over HTTP: a twin's series (`GET /v1/twins/{id}/telemetry`) and the telemetry log, replayed
/// from an offset or a time as NDJSON, or replayed and then followed live as server-sent events
/// (`GET /v1/telemetry/stream`).
struct TelemetryController {
    let store: TwinStore

    /// Raw points one series answer may hold; past it the caller must ask for an interval.
    static let maximumRawPoints = 10_000
    /// Log entries read per step of a replay.
    static let replayPage = 1_000
    /// How often a live stream looks for new entries.
    static let followInterval = Duration.milliseconds(200)

    func addTwinRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get(":id/telemetry", use: series)
    }

    func addStreamRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get("stream", use: stream)
    }

    /// `?metric=&from=&to=&interval=&aggregate=`. Without `metric`: the twin's last-known telemetry. With
    /// it: raw points in `[from, to)` (default the last hour), or one aggregate (`avg` by default) per
    /// `interval`, read from the hour or minute rollups when the interval is whole hours or minutes.
    @Sendable func series(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let id = try context.pathParameter("id")
        let query = request.uri.queryParameters
        guard let metric = query["metric"].map(String.init) else {
            let last = try await store.lastTelemetry(of: id, in: context.tenant)
            return .json(TelemetryDTO.last(last))
        }
        let to = try query["to"].map { try Self.time(String($0), named: "to") } ?? .now
        let from = try query["from"].map { try Self.time(String($0), named: "from") } ?? Timestamp(milliseconds: to.milliseconds - 3_600_000)
        guard from < to else { throw ProblemDetails.badRequest("from must be before to") }
        var body: JSONObject = ["twin": .string(id), "metric": .string(metric), "from": .string(from.iso8601), "to": .string(to.iso8601)]
        if let text = query["interval"].map(String.init) {
            guard let interval = DurationText.milliseconds(text) else {
                throw ProblemDetails.badRequest("interval must be a duration such as 30s, 5m or 1h, found \"\(text)\"")
            }
            guard (to.milliseconds - from.milliseconds) / interval <= Int64(Self.maximumRawPoints) else {
                throw ProblemDetails.badRequest("that range holds more than \(Self.maximumRawPoints) intervals of \(text); widen the interval")
            }
            let name = query["aggregate"].map(String.init) ?? "avg"
            guard let aggregate = TelemetryAggregate(rawValue: name) else {
                throw ProblemDetails.badRequest("aggregate must be one of \(TelemetryAggregate.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let points = try await store.telemetryAggregates(
                of: id, metric: metric, in: context.tenant, from: from, to: to, interval: interval, aggregate: aggregate)
            body["interval"] = .string(text)
            body["aggregate"] = .string(name)
            body["source"] = .string(interval % 3_600_000 == 0 ? "rollup-1h" : interval % 60_000 == 0 ? "rollup-1m" : "raw")
            body["points"] = .array(points.map(TelemetryDTO.point))
        } else {
            guard query["aggregate"] == nil else { throw ProblemDetails.badRequest("aggregate needs an interval") }
            let points = try await store.telemetryPoints(
                of: id, metric: metric, in: context.tenant, from: from, to: to, limit: Self.maximumRawPoints + 1)
            guard points.count <= Self.maximumRawPoints else {
                throw ProblemDetails.badRequest("more than \(Self.maximumRawPoints) points in that range; give an interval or a shorter range")
            }
            body["source"] = "raw"
            body["points"] = .array(points.map(TelemetryDTO.point))
        }
        return .json(.object(body))
    }

    /// `?fromOffset=N` or `?from=time` (default: from the start). NDJSON of every entry from there to the
    /// end of the log, then the response ends; with `Accept: text/event-stream`, the same entries as events
    /// (`id` = offset, so `Last-Event-ID` resumes) and then new ones as they arrive, until the client leaves.
    @Sendable func stream(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let query = request.uri.queryParameters
        var offset: Int64 = 1
        if let text = query["fromOffset"] {
            guard let value = Int64(text), value >= 0 else { throw ProblemDetails.badRequest("fromOffset must be a whole number") }
            offset = value
        } else if let text = query["from"] {
            offset = try await store.telemetryOffset(at: try Self.time(String(text), named: "from"))
        }
        let live = request.headers[.accept]?.contains("text/event-stream") ?? false
        if live, let resume = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap({ Int64($0) }) { offset = resume + 1 }
        let tenant = context.tenant
        let store = self.store
        let start = offset
        var headers = HTTPFields()
        headers[.contentType] = live ? "text/event-stream" : "application/x-ndjson"
        headers[.cacheControl] = "no-cache"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var next = start
                while true {
                    let records = try await store.telemetryLog(in: tenant, fromOffset: next, limit: Self.replayPage)
                    if records.isEmpty {
                        guard live else { break }
                        try await Task.sleep(for: Self.followInterval)
                        continue
                    }
                    var buffer = ByteBuffer()
                    for record in records {
                        let line = TelemetryDTO.record(record).encoded()
                        if live {
                            buffer.writeString("id: \(record.offset)\ndata: ")
                            buffer.writeBytes(line)
                            buffer.writeString("\n\n")
                        } else {
                            buffer.writeBytes(line)
                            buffer.writeString("\n")
                        }
                    }
                    try await writer.write(buffer)
                    next = records.last!.offset + 1
                }
                try await writer.finish(nil)
            })
    }

    /// RFC 3339 or epoch milliseconds.
    static func time(_ text: String, named name: String) throws -> Timestamp {
        if let milliseconds = Int64(text) { return Timestamp(milliseconds: milliseconds) }
        guard let parsed = TelemetryMessage.time(string: text) else {
            throw ProblemDetails.badRequest("\(name) must be an RFC 3339 time or epoch milliseconds, found \"\(text)\"")
        }
        return parsed
    }
}

/// Telemetry as the API shows it.
enum TelemetryDTO {
    static func point(_ point: TelemetryPoint) -> JSONValue {
        ["at": .string(point.at.iso8601), "value": .double(point.value)]
    }

    static func record(_ record: TelemetryRecord) -> JSONValue {
        var object: JSONObject = [
            "offset": .int(record.offset), "twin": .string(record.twin), "receivedAt": .string(record.receivedAt.iso8601),
            "telemetry": .object(record.values),
        ]
        if let deviceTime = record.deviceTime { object["deviceTime"] = .string(deviceTime.iso8601) }
        return .object(object)
    }

    static func last(_ last: LastTelemetry) -> JSONValue {
        var object: JSONObject = ["values": .object(last.values)]
        if let receivedAt = last.receivedAt { object["receivedAt"] = .string(receivedAt.iso8601) }
        if let deviceTime = last.deviceTime { object["deviceTime"] = .string(deviceTime.iso8601) }
        if let skew = last.skewMilliseconds { object["skewMillis"] = .int(skew) }
        return .object(object)
    }
}
