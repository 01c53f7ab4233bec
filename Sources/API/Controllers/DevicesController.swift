import Foundation
import Hummingbird
import TwinModel

/// `/v1/devices`: the device registry — device twins with credentials, status and connection state.
struct DevicesController {
    let store: TwinStore

    func addRoutes(to group: RouterGroup<DoppelRequestContext>) {
        group.get(use: list)
        group.put(":id", use: put)
        group.get(":id", use: get)
        group.delete(":id", use: delete)
        group.get(":id/connection", use: connection)
    }

    /// `PUT`: registers the device (201), creating its twin if needed, or changes its registration (200).
    @Sendable func put(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        var request = request
        _ = try context.require(.operator)
        let id = try context.pathParameter("id")
        let registration = try DeviceDTO.decode(try await request.jsonObject(context: context), id: id)
        let (device, created) = try await store.registerDevice(
            id, in: context.tenant, model: registration.model, status: registration.status, credentials: registration.credentials,
            changedBy: context.actor)
        return .json(DeviceDTO.encode(device), status: created ? .created : .ok)
    }

    @Sendable func get(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        return .json(DeviceDTO.encode(try await device(context)))
    }

    /// IoT Hub's connection fields of the device.
    @Sendable func connection(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        return .json(DeviceDTO.connection(try await device(context)))
    }

    /// `DELETE`: 204; the device's twin stays (`DELETE /v1/twins/{id}` removes both).
    @Sendable func delete(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.operator)
        try await store.deleteDevice(try context.pathParameter("id"), in: context.tenant)
        return .noContent()
    }

    /// `{"value": [...], "continuationToken"?}`, ordered by id, a page of at most 1,000 devices;
    /// `?continuationToken=` asks for the next page.
    @Sendable func list(_ request: Request, context: DoppelRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let after = try request.uri.queryParameters["continuationToken"].map { try Self.lastID(fromToken: String($0)) }
        let limit = TwinStore.maximumDevicePage
        let devices = try await store.devices(in: context.tenant, after: after, limit: limit)
        var result: JSONObject = ["value": .array(devices.map(DeviceDTO.encode))]
        if devices.count == limit, let last = devices.last {
            result["continuationToken"] = .string(Self.token(after: last.id))
        }
        return .json(.object(result))
    }

    private func device(_ context: DoppelRequestContext) async throws -> Device {
        let id = try context.pathParameter("id")
        guard let device = try await store.device(id, in: context.tenant) else { throw TwinModelError.deviceNotFound(id) }
        return device
    }

    /// A continuation token is the unpadded base64url of the last id of the previous page, so it needs no
    /// escaping in a query string.
    static func token(after id: String) -> String {
        Data(id.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func lastID(fromToken token: String) throws -> String {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard !token.isEmpty, let data = Data(base64Encoded: base64), let id = String(data: data, encoding: .utf8) else {
            throw ProblemDetails.badRequest("continuationToken \"\(token)\" is not one this API issued")
        }
        return id
    }
}
