import Foundation

/// Reading JSON files into `Decodable` values with errors that name the file.
public enum JSONFile {
    /// Decodes `T` from the file at `url`.
    ///
    /// - Throws: `SimError.fileNotFound` or `SimError.malformedFile` with a one-line reason.
    public static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            if !FileManager.default.fileExists(atPath: url.path) {
                throw SimError.fileNotFound(url.path, tried: [url.path])
            }
            throw SimError.malformedFile(url.path, reason: "cannot be read")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw SimError.malformedFile(url.path, reason: describe(error))
        } catch {
            throw SimError.malformedFile(url.path, reason: "not valid JSON")
        }
    }

    /// One line for a decoding error: what was expected, and where.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let rendered = keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
            return rendered.isEmpty ? "top level" : rendered.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case .typeMismatch(let type, let context):
            return "expected \(type) at \(path(context.codingPath))"
        case .valueNotFound(let type, let context):
            return "null where \(type) was expected at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            // Foundation puts the detail (e.g. "number <0.5> does not fit in Int") in the
            // description or in the underlying error.
            let detail = [context.debugDescription, context.underlyingError.map { "\($0)" } ?? ""]
                .first { !$0.isEmpty && $0 != "The given data was not valid JSON." } ?? ""
            let cleaned = String(detail.replacingOccurrences(of: "\n", with: " ").prefix(160))
            if context.codingPath.isEmpty {
                return cleaned.isEmpty ? "not valid JSON" : "not valid JSON (\(cleaned))"
            }
            return "invalid value at \(path(context.codingPath))" + (cleaned.isEmpty ? "" : " (\(cleaned))")
        @unknown default:
            return "not valid JSON"
        }
    }
}
