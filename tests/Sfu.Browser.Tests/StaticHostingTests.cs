namespace Sfu.Browser.Tests;

/// <summary>The host serves the bundle from wwwroot with the right content types and the room route.</summary>
public sealed class StaticHostingTests(SfuServerFixture server)
{
    [Theory]
    [InlineData("/", "text/html")]                      // lobby via the default document
    [InlineData("/room/standup", "text/html")]          // room route falls back to room.html
    [InlineData("/room/a%20b?name=x", "text/html")]     // escaped room names and a query
    [InlineData("/lobby.js", "text/javascript")]        // bundles are ES modules: need a JS type
    [InlineData("/room.js", "text/javascript")]
    [InlineData("/room.js.map", "application/json")]    // not in the default table: mapped by the host
    [InlineData("/styles.css", "text/css")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    public async Task Serves_the_client_with_its_content_type(string path, string contentType)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Room_route_serves_the_room_page_not_the_lobby()
    {
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        string html = await http.GetStringAsync(new Uri("/room/x", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("/room.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/lobby.js", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/room/a/b")]       // a room is one path segment
    [InlineData("/no-such-file")]   // no catch-all: unknown paths are 404s
    public async Task Unknown_paths_are_not_found(string path)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
