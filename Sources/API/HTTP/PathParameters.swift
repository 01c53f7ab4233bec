import Foundation
import Hummingbird

extension DoppelRequestContext {
    /// A path parameter, percent-decoded: ids reach the store as the caller meant them (`caf%C3%A9` is
    /// `café`, `a%2Fb` is `a/b` and then refused by the id rules), never in their encoded form.
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw ProblemDetails.badRequest("path parameter \(name) \"\(raw)\" is not valid percent-encoding")
        }
        return decoded
    }
}
