using Sfu.Host.Signaling;

namespace Sfu.Host;

/// <summary>The composition root, shared by Program and by tests that run the real server.</summary>
public static class SfuServer
{
    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.Services.AddSignalR();
        configure?.Invoke(builder);

        WebApplication app = builder.Build();
        app.UseWebClient();
        app.MapHub<SfuHub>(SfuHub.Path);
        return app;
    }
}
