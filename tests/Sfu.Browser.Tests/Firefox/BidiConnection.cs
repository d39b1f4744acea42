using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sfu.Browser.Tests.Firefox;

/// <summary>
/// A WebDriver BiDi session over one WebSocket (W3C WebDriver BiDi §4-§6): commands are
/// JSON objects with an id, answered by a message with the same id; events have a method and
/// no id. This is all a test needs to drive Firefox directly, without a driver process.
/// </summary>
internal sealed class BidiConnection : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> pending = new();
    private readonly CancellationTokenSource closing = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private Task? receiving;
    private int nextId;

    /// <summary>An event arrived: its method and params.</summary>
    public event Action<string, JsonElement>? EventReceived;

    public async Task ConnectAsync(Uri url, CancellationToken cancel)
    {
        await socket.ConnectAsync(url, cancel);
        receiving = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    /// <summary>Sends a command and returns its result; a BiDi error becomes an exception naming it.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject parameters, CancellationToken cancel)
    {
        int id = Interlocked.Increment(ref nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = reply;
        byte[] message = Encoding.UTF8.GetBytes(new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString());
        await sendLock.WaitAsync(cancel);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancel);
        }
        finally
        {
            sendLock.Release();
        }

        using CancellationTokenRegistration registration = cancel.Register(() => reply.TrySetCanceled(cancel));
        return await reply.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // Firefox may already be gone.
            }
        }

        if (receiving is not null)
        {
            await receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        socket.Dispose();
        closing.Dispose();
        sendLock.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!closing.IsCancellationRequested)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, closing.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                Dispatch(JsonDocument.Parse(message.ToArray()).RootElement.Clone());
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closing, or Firefox went away: every waiting command fails below.
        }

        foreach (TaskCompletionSource<JsonElement> waiting in pending.Values)
        {
            waiting.TrySetException(new InvalidOperationException("The WebDriver BiDi connection to Firefox closed."));
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.Number
            && pending.TryRemove(idElement.GetInt32(), out TaskCompletionSource<JsonElement>? reply))
        {
            if (message.GetProperty("type").GetString() == "error")
            {
                string error = message.TryGetProperty("error", out JsonElement e) ? e.GetString() ?? "" : "";
                string text = message.TryGetProperty("message", out JsonElement m) ? m.GetString() ?? "" : "";
                reply.TrySetException(new InvalidOperationException($"WebDriver BiDi error {error}: {text}"));
            }
            else
            {
                reply.TrySetResult(message.GetProperty("result"));
            }

            return;
        }

        if (message.TryGetProperty("method", out JsonElement method) && message.TryGetProperty("params", out JsonElement parameters))
        {
            EventReceived?.Invoke(method.GetString() ?? "", parameters);
        }
    }
}
