import Crypto
import Foundation

/// The opaque continuation token of a query's next page: base64 of `{"v":1,"offset":n,"query":hash}`,
/// where the hash is of the tenant and query text, so a token only continues the query that issued it.
enum QueryContinuation {
    static func fingerprint(of text: String, tenant: String) -> String {
        let digest = SHA256.hash(data: Array("\(tenant)\n\(text)".utf8))
        return digest.prefix(12).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func token(offset: Int, fingerprint: String) -> String {
        let object: JSONValue = ["v": 1, "offset": .int(Int64(offset)), "query": .string(fingerprint)]
        return Data(object.encoded()).base64EncodedString()
    }

    /// The offset a token continues from; throws when it is malformed or was issued for another query.
    static func offset(of token: String, fingerprint: String) throws(QueryError) -> Int {
        guard let data = Data(base64Encoded: token), let value = try? JSONValue(parsing: [UInt8](data)),
            value["v"] == 1, let offset = value["offset"]?.intValue, offset > 0, offset <= Int64(Int32.max),
            let query = value["query"]?.stringValue
        else {
            throw QueryError(.continuationToken, at: 0, message: "the continuation token is malformed")
        }
        guard query == fingerprint else {
            throw QueryError(.continuationToken, at: 0, message: "the continuation token belongs to another query; send the query it came with")
        }
        return Int(offset)
    }
}
