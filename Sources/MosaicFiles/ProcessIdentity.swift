import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who is running: a process id and its start time, so that a record left by a killed process
/// can be told from one of a process still at work (process ids are reused).
public struct ProcessIdentity: Sendable, Equatable {
    /// The process id.
    public var pid: Int32
    /// The start time in clock ticks since boot (Linux `/proc/PID/stat`, field 22); empty where unknown.
    public var start: String

    /// Makes the value from its parts.
    public init(pid: Int32, start: String) {
        self.pid = pid
        self.start = start
    }

    /// This process.
    public static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, start: startTime(of: pid) ?? "")
    }

    /// True while the process that made a record is still running.
    public var isAlive: Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        guard let now = ProcessIdentity.startTime(of: pid) else { return kill(pid, 0) == 0 || errno == EPERM }
        return start.isEmpty || now == start
    }

    static func startTime(of pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, start time field 22.
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}
