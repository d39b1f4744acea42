using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Sfu.Host.Tests;

/// <summary>A real SignalR client of the hub that records the meeting events it receives.</summary>
internal sealed class MeetingClient : IAsyncDisposable
{
    private const string ChatNotice = "notice";

    private MeetingClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<JsonElement>("RoomsChanged", rooms => RoomLists.Enqueue(rooms));
        connection.On<JsonElement>("ChatReceived", message => Chat.Enqueue(message));
        connection.On<JsonElement>("MediaStateChanged", state => MediaStates.Enqueue(state));
        connection.On<string>("ParticipantLeft", id => Left.Enqueue(id));
        connection.On<JsonElement>("ParticipantJoined", p => Joined.Enqueue(p));
        connection.On<string>("Removed", reason => Removed.Enqueue(reason));
        connection.On<string>("Warning", message => Warnings.Enqueue(message));
    }

    public HubConnection Connection { get; }

    public ConcurrentQueue<JsonElement> RoomLists { get; } = new();

    public ConcurrentQueue<JsonElement> Chat { get; } = new();

    public ConcurrentQueue<JsonElement> MediaStates { get; } = new();

    public ConcurrentQueue<string> Left { get; } = new();

    public ConcurrentQueue<JsonElement> Joined { get; } = new();

    public ConcurrentQueue<string> Removed { get; } = new();

    public ConcurrentQueue<string> Warnings { get; } = new();

    /// <summary>Connects; <paramref name="accessToken"/> is sent as SignalR's access token (a join token).</summary>
    public static Task<MeetingClient> ConnectAsync(SfuTestServer server, bool reconnect = false, string? accessToken = null)
        => ConnectAsync(server.BaseUrl, reconnect, accessToken);

    /// <summary>Connects to the server at <paramref name="baseUrl"/> (one in this process or not).</summary>
    public static async Task<MeetingClient> ConnectAsync(string baseUrl, bool reconnect = false, string? accessToken = null)
    {
        IHubConnectionBuilder builder = new HubConnectionBuilder().WithUrl(baseUrl + "/hubs/sfu", o =>
        {
            if (accessToken is not null)
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            }
        });
        if (reconnect)
        {
            builder = builder.WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)]);
        }

        HubConnection connection = builder.Build();
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return new MeetingClient(connection);
    }

    /// <summary>Joins and returns (participant id, resume token).</summary>
    public async Task<(string Id, string Token)> JoinAsync(string room, string name)
    {
        JsonElement joined = await Connection.InvokeAsync<JsonElement>("Join", room, name, TestContext.Current.CancellationToken);
        JsonElement snapshot = await Connection.InvokeAsync<JsonElement>("MeetingState", TestContext.Current.CancellationToken);
        return (joined.GetProperty("participantId").GetString()!, snapshot.GetProperty("resumeToken").GetString()!);
    }

    /// <summary>The last room list the lobby pushed, as "name:count,…"; "?" before the first.</summary>
    public string LatestRooms
        => RoomLists.IsEmpty
            ? "?"
            : string.Join(",", RoomLists.Last().EnumerateArray().Select(r => $"{r.GetProperty("name").GetString()}:{r.GetProperty("participants").GetInt32()}"));

    /// <summary>How many server notices with exactly this text arrived.</summary>
    public int Notices(string text) => Chat.Count(m => Kind(m) == ChatNotice && m.GetProperty("text").GetString() == text);

    public static string Kind(JsonElement message) => message.GetProperty("kind").GetString() ?? "";

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
