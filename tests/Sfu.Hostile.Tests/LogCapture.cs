using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sfu.Hostile.Tests;

/// <summary>Every log entry the server writes, as a provider registered next to its own.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => capture.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
    }
}
