using Microsoft.AspNetCore.StaticFiles;

namespace Sfu.Host;

/// <summary>
/// Serves the browser client (src/Sfu.WebClient, bundled into wwwroot/ at build time):
/// the lobby at <c>/</c> and the room page at <c>/room/{room}</c>.
/// </summary>
public static class WebClientHosting
{
    /// <summary>The room page; every <c>/room/{room}</c> address serves it and it reads the room from the path.</summary>
    public const string RoomPage = "room.html";

    public static WebApplication UseWebClient(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // The default table lacks source maps; without a mapping they would not be served at all.
        var contentTypes = new FileExtensionContentTypeProvider();
        contentTypes.Mappings[".map"] = "application/json";
        var staticFiles = new StaticFileOptions { ContentTypeProvider = contentTypes };

        app.UseDefaultFiles();
        app.UseStaticFiles(staticFiles);
        app.MapFallbackToFile("/room/{room}", RoomPage, staticFiles);
        return app;
    }
}
