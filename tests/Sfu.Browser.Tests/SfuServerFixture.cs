using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Host;

namespace Sfu.Browser.Tests;

/// <summary>The real server, in-process, on an ephemeral loopback port (HTTP and media).</summary>
public sealed class SfuServerFixture : IAsyncLifetime
{
    private readonly string[] extraArgs;
    private WebApplication? app;

    public SfuServerFixture()
        : this([])
    {
    }

    /// <summary>A server of a test's own, with configuration on top of the shared one's (start it with InitializeAsync).</summary>
    internal SfuServerFixture(params string[] extraArgs) => this.extraArgs = extraArgs;

    /// <summary>The key of the admin dashboard and API on this server.</summary>
    public const string AdminKey = "browser-tests-admin-key-of-32-bytes-or-more";

    /// <summary>The room size this server admits; larger than any room a test fills with browsers.</summary>
    public const int MaxParticipantsPerRoom = 8;

    /// <summary>The bound address, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    public async ValueTask InitializeAsync()
    {
        app = SfuServer.CreateApp(["--Urls=http://127.0.0.1:0", "--Sfu:Media:Port=0", "--Logging:LogLevel:Default=Warning", $"--Sfu:Admin:Key={AdminKey}", $"--Sfu:Media:MaxParticipantsPerRoom={MaxParticipantsPerRoom}", .. extraArgs]);
        await app.StartAsync();

        // Port 0 binds an ephemeral port: the real one is known only after start.
        IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("The server does not report its addresses.");
        BaseUri = new Uri(addresses.Addresses.First());
    }

    /// <summary>The running server's services (for tests that reach into it, e.g. to cut a connection).</summary>
    public IServiceProvider Services => app?.Services ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>An absolute address on the server, e.g. Url("/room/a?name=b").</summary>
    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
