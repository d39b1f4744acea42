using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sfu.Bots.Janus;

/// <summary>
/// One session of Janus's plain HTTP API (janus.transport.http): create, attach plugin handles,
/// send plugin messages with an optional JSEP, and one long poll (GET ?maxev) that receives
/// every asynchronous event and completes the request whose transaction it answers. A
/// "keepalive" every <see cref="KeepAlivePeriod"/> holds the session open between requests, as
/// Janus's own janus.js does, so the session outlives a while of failing polls (a load run once
/// lost every session to session_timeout after its polls had stopped).
/// </summary>
internal sealed class JanusSession : IAsyncDisposable
{
    private const int EventsPerPoll = 16;

    /// <summary>Well inside Janus's default session_timeout of 60 s.</summary>
    private static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromSeconds(20);

    private static readonly HttpClient Http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
    {
        // A long poll waits up to 30 s for events before Janus answers with a keepalive.
        Timeout = TimeSpan.FromSeconds(90),
    };

    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _session;
    private Task? _poll;
    private Task? _keepAlive;

    private JanusSession(Uri session)
    {
        _session = session;
    }

    public static async Task<JanusSession> CreateAsync(Uri api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        JsonElement created = await PostAsync(api, new JsonObject { ["janus"] = "create" }, cancellationToken).ConfigureAwait(false);
        long id = created.GetProperty("data").GetProperty("id").GetInt64();
        var session = new JanusSession(new Uri(api.AbsoluteUri.TrimEnd('/') + "/" + id.ToString(CultureInfo.InvariantCulture)));
        session._poll = Task.Run(() => session.PollAsync(session._stop.Token), CancellationToken.None);
        session._keepAlive = Task.Run(() => session.KeepAliveAsync(session._stop.Token), CancellationToken.None);
        return session;
    }

    /// <summary>Attaches a handle to <paramref name="plugin"/> (e.g. janus.plugin.videoroom) and returns its id.</summary>
    public async Task<long> AttachAsync(string plugin, CancellationToken cancellationToken)
    {
        JsonElement attached = await PostAsync(_session, new JsonObject { ["janus"] = "attach", ["plugin"] = plugin }, cancellationToken).ConfigureAwait(false);
        return attached.GetProperty("data").GetProperty("id").GetInt64();
    }

    /// <summary>
    /// Sends a plugin message; returns the plugin's answer: the synchronous "success" or, after
    /// an "ack", the event carrying the same transaction (with its "jsep" when there is one).
    /// </summary>
    public async Task<JsonElement> MessageAsync(long handle, JsonObject body, JsonObject? jsep, CancellationToken cancellationToken)
    {
        string transaction = NewTransaction();
        var pending = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[transaction] = pending;
        try
        {
            var message = new JsonObject { ["janus"] = "message", ["body"] = body, ["transaction"] = transaction };
            if (jsep is not null)
            {
                message["jsep"] = jsep;
            }

            JsonElement response = await PostAsync(new Uri(_session.AbsoluteUri + "/" + handle.ToString(CultureInfo.InvariantCulture)), message, cancellationToken).ConfigureAwait(false);
            JsonElement answer = response.GetProperty("janus").GetString() == "ack"
                ? await AnswerAsync(pending.Task, cancellationToken).ConfigureAwait(false)
                : response;
            ThrowOnPluginError(answer);
            return answer;
        }
        finally
        {
            _pending.TryRemove(transaction, out _);
        }
    }

    /// <summary>The event that answers a request, or a clear error if the long poll that would bring it has stopped.</summary>
    private async Task<JsonElement> AnswerAsync(Task<JsonElement> answer, CancellationToken cancellationToken)
    {
        Task poll = _poll!;
        if (await Task.WhenAny(answer, poll).WaitAsync(cancellationToken).ConfigureAwait(false) == poll && !answer.IsCompleted)
        {
            throw new JanusException("The long poll of this Janus session stopped, so no answer can arrive: " + (poll.Exception?.GetBaseException().ToString() ?? "it returned"));
        }

        return await answer.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Task? task in new[] { _poll, _keepAlive })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await PostAsync(_session, new JsonObject { ["janus"] = "destroy" }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or JanusException or OperationCanceledException)
        {
            // Best effort: Janus also drops the session at its timeout.
        }

        _stop.Dispose();
    }

    private static async Task<JsonElement> PostAsync(Uri uri, JsonObject request, CancellationToken cancellationToken)
    {
        request["transaction"] ??= NewTransaction();
        using HttpResponseMessage response = await Http.PostAsJsonAsync(uri, request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        JsonElement body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        if (body.GetProperty("janus").GetString() == "error")
        {
            throw new JanusException($"Janus refused '{request["janus"]}': {body.GetProperty("error")}");
        }

        return body;
    }

    private static void ThrowOnPluginError(JsonElement answer)
    {
        if (answer.TryGetProperty("plugindata", out JsonElement plugin)
            && plugin.TryGetProperty("data", out JsonElement data)
            && data.TryGetProperty("error", out JsonElement error))
        {
            throw new JanusException($"The plugin refused the request: {error.GetString()}");
        }
    }

    private static string NewTransaction() => RandomNumberGenerator.GetHexString(12, lowercase: true);

    /// <summary>
    /// The long poll, for the session's whole life: if it stopped, every later answer of Janus on
    /// this session would be lost (a bot then waits for one until it times out) and, without the
    /// keepalive, the session would expire. So nothing an event holds may end it.
    /// </summary>
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(_session.AbsoluteUri + "?maxev=" + EventsPerPoll.ToString(CultureInfo.InvariantCulture));
        while (!cancellationToken.IsCancellationRequested)
        {
            JsonElement events;
            try
            {
                events = await Http.GetFromJsonAsync<JsonElement>(uri, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or JsonException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // A failed poll is retried. A body cut short arrives as an IOException (HttpIOException),
                // not wrapped in an HttpRequestException, and would otherwise end the poll for good.
                await Task.Delay(100, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (events.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement e in events.EnumerateArray())
                {
                    Dispatch(e);
                }
            }
            else
            {
                Dispatch(events);
            }
        }
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(KeepAlivePeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await PostAsync(_session, new JsonObject { ["janus"] = "keepalive" }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or JsonException or JanusException)
                {
                    // The next tick tries again; a session Janus dropped fails its next request with the reason.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Completes the request an event answers; events that answer none (notifications, keepalives) or carry no usable transaction are passed over.</summary>
    private void Dispatch(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object
            && e.TryGetProperty("transaction", out JsonElement transaction)
            && transaction.ValueKind == JsonValueKind.String
            && transaction.GetString() is string id
            && e.TryGetProperty("janus", out JsonElement kind)
            && kind.ValueKind == JsonValueKind.String
            && kind.GetString() is "event" or "error"
            && _pending.TryGetValue(id, out TaskCompletionSource<JsonElement>? pending))
        {
            pending.TrySetResult(e.Clone());
        }
    }
}
