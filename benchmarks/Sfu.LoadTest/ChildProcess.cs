using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Sfu.LoadTest;

/// <summary>
/// A process the tool starts (the SFU or the relay) and owns: it waits for the line that tells
/// where the process listens, keeps the last lines of its output for error messages (and, when
/// asked, all of them in a file), and kills exactly that process (and its children) when disposed.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private const int KeptLines = 20;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly Lock _gate = new();
    private readonly Regex _ready;
    private readonly TaskCompletionSource<Match> _readyMatch = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StreamWriter? _log;

    private ChildProcess(Process process, Regex ready, string? logPath)
    {
        _process = process;
        _ready = ready;
        _log = logPath is null ? null : new StreamWriter(logPath, append: false) { AutoFlush = true };
    }

    public int Id => _process.Id;

    /// <summary>Starts <c>dotnet <paramref name="dll"/> args</c> and waits until a line matches <paramref name="ready"/>.</summary>
    public static Task<(ChildProcess Process, Match Ready)> StartDotnetAsync(string dll, IEnumerable<string> args, Regex ready, TimeSpan timeout, CancellationToken cancellationToken, string? logPath = null)
        => StartAsync(DotnetHost(), [dll, .. args], ready, timeout, cancellationToken, logPath);

    /// <summary>Starts <paramref name="executable"/> with <paramref name="args"/> and waits until a line matches <paramref name="ready"/>.</summary>
    /// <param name="logPath">A file that gets every line of the process's output, or null.</param>
    public static async Task<(ChildProcess Process, Match Ready)> StartAsync(string executable, IEnumerable<string> args, Regex ready, TimeSpan timeout, CancellationToken cancellationToken, string? logPath = null)
    {
        // The server or relay under test keeps the normal policy whatever the tool's own is.
        (string command, IEnumerable<string> commandArgs) = BotScheduling.WithNormalPolicy(executable, args);
        var info = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in commandArgs)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, ready, logPath);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {executable}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Task exited = process.WaitForExitAsync(cancellationToken);
            Task winner = await Task.WhenAny(child._readyMatch.Task, exited, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
            if (winner != child._readyMatch.Task)
            {
                string why = winner == exited ? "exited" : $"did not report ready within {timeout.TotalSeconds:0} s";
                string name = Path.GetFileName(executable == DotnetHost() ? args.First() : executable);
                throw new InvalidOperationException($"{name} {why}. Its last output:\n{child.LastOutput()}");
            }

            return (child, await child._readyMatch.Task.ConfigureAwait(false));
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    public string LastOutput()
    {
        lock (_gate)
        {
            return string.Join('\n', _lastLines);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
        lock (_gate)
        {
            // Output events may still come after the kill: they find no file.
            _log?.Dispose();
            _log = null;
        }
    }

    private static string DotnetHost()
    {
        // Under `dotnet Sfu.LoadTest.dll` the host is our own process; the apphost case falls back to PATH.
        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _log?.WriteLine(line);
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }

        Match match = _ready.Match(line);
        if (match.Success)
        {
            _readyMatch.TrySetResult(match);
        }
    }
}
