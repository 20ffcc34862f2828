import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What an HTTP exchange can end in, short of a response.
public enum TransportFailure: Error, Equatable, Sendable {
    /// No answer within the timeout.
    case timedOut
    /// No connection (refused, unreachable host, DNS failure).
    case unreachable(String)
}

/// The network boundary of the `openai` generator, behind a protocol so tests can replace it.
public protocol ChatTransport: Sendable {
    /// POSTs `body` and returns the status and body of the response.
    /// - Throws: `TransportFailure`.
    func post(_ url: URL, headers: [String: String], body: Data, timeout: TimeInterval) throws -> (status: Int, body: Data)
}

/// `ChatTransport` over URLSession (FoundationNetworking on Linux), made synchronous: the loop
/// calls its generator from one thread and waits for the answer.
public struct URLSessionTransport: ChatTransport {
    public init() {}

    public func post(_ url: URL, headers: [String: String], body: Data, timeout: TimeInterval) throws -> (status: Int, body: Data) {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        final class Box: @unchecked Sendable { var result: Result<(Int, Data), TransportFailure>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: request) { data, response, error in
            if let error = error as? URLError {
                box.result = .failure(error.code == .timedOut ? .timedOut : .unreachable(error.localizedDescription))
            } else if let error {
                box.result = .failure(.unreachable("\(error)"))
            } else {
                box.result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }.resume()
        // URLSession enforces the timeout; the extra seconds only guard against a session that never calls back.
        guard done.wait(timeout: .now() + timeout + 5) == .success, let result = box.result else { throw TransportFailure.timedOut }
        let (status, data) = try result.get()
        return (status, data)
    }
}
