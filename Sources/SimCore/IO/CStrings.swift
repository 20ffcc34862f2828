#if canImport(Glibc)
import Glibc
#endif

/// Calls `body` with a NULL-terminated C array of the strings (an `argv` or `envp` for
/// `posix_spawn`), freed after it returns.
public func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
