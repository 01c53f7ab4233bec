import Hummingbird
import Prometheus
import TwinModel

/// The open endpoints: `/healthz`, `/metrics` and `/openapi.json`.
struct HealthController<Context: RequestContext> {
    let store: TwinStore
    let metrics: PrometheusCollectorRegistry?

    func addRoutes(to router: Router<Context>) {
        router.get("healthz", use: health)
        router.get("metrics", use: prometheus)
        router.get("openapi.json") { _, _ in Response.json(OpenAPIDocument.json) }
    }

    /// 200 with `{"status":"ok"}` while the store answers, 503 otherwise.
    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        let healthy = await store.isHealthy()
        let body: JSONValue = ["status": healthy ? "ok" : "unavailable", "store": healthy ? "ok" : "unavailable"]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: healthy ? .ok : .serviceUnavailable, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body.encoded())))
    }

    /// The Prometheus text exposition of every metric the process records.
    @Sendable func prometheus(_ request: Request, context: Context) async throws -> Response {
        var bytes: [UInt8] = []
        metrics?.emit(into: &bytes)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
