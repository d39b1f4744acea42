using Microsoft.Extensions.FileProviders;
using Sfu.Core;
using Sfu.Core.Routing;

namespace Sfu.Host.Admin;

/// <summary>
/// The operator's side of the server: the dashboard at <see cref="DashboardPath"/> and the
/// JSON API under <see cref="ApiPrefix"/>. Everything needs the key of <c>Sfu:Admin:Key</c>;
/// with no key configured admin is off and every admin address answers 404.
/// </summary>
public static partial class AdminEndpoints
{
    public const string DashboardPath = "/admin";
    public const string ApiPrefix = "/api/admin";
    public const string KickReason = "Removed by an operator";
    public const string RoomClosedReason = "The room was closed by an operator";

    /// <summary>The bundled dashboard page; served only through <see cref="DashboardPath"/>.</summary>
    private const string DashboardFile = "admin.html";

    private const string LoginFile = "admin-login.html";
    private const string DeniedMarker = "<!--denied-->";

    public static WebApplicationBuilder AddSfuAdmin(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<AdminOptions>(builder.Configuration.GetSection(AdminOptions.Section));
        builder.Services.AddSingleton<AdminKey>();
        builder.Services.AddSingleton<AdminSessions>();
        builder.Services.AddSingleton<AdminBackoff>();
        builder.Services.AddSingleton<AdminGate>();
        builder.Services.AddSingleton<AdminStatsSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AdminStatsSampler>());
        builder.Services.AddSingleton<AdminSnapshots>();
        return builder;
    }

    /// <summary>Maps the dashboard and the API; call before the static files so the page's file stays private.</summary>
    public static WebApplication UseSfuAdmin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        AdminKey key = app.Services.GetRequiredService<AdminKey>();
        if (!key.IsConfigured)
        {
            LogAdminOff(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminEndpoints).FullName!), AdminOptions.Section);
        }

        app.Use((context, next) =>
        {
            if (context.Request.Path.Equals("/" + DashboardFile, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });

        app.MapGet(DashboardPath, DashboardAsync);
        app.MapPost(DashboardPath + "/login", LoginAsync);
        app.MapPost(DashboardPath + "/logout", Logout);

        RouteGroupBuilder api = app.MapGroup(ApiPrefix).AddEndpointFilter(RequireKey);
        api.MapGet("/rooms", (AdminSnapshots snapshots) => Results.Ok(snapshots.Rooms()));
        api.MapGet("/rooms/{room}", (string room, AdminSnapshots snapshots)
            => snapshots.Room(room) is RoomDetail detail ? Results.Ok(detail) : NoSuchRoom(room));
        api.MapDelete("/rooms/{room}", CloseRoom);
        api.MapDelete("/rooms/{room}/participants/{id}", Kick);
        api.MapGet("/stats", (AdminSnapshots snapshots) => Results.Ok(snapshots.Stats()));
        api.MapPost("/tokens", AdminTokens.MintAsync);
        return app;
    }

    private static async ValueTask<object?> RequireKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        AdminGate gate = context.HttpContext.RequestServices.GetRequiredService<AdminGate>();
        if (!gate.IsConfigured)
        {
            return Results.NotFound(new AdminError($"Admin is off: set {AdminOptions.Section}:Key to turn it on."));
        }

        return gate.Check(context.HttpContext) ?? await next(context).ConfigureAwait(false);
    }

    private static async Task<IResult> DashboardAsync(HttpContext context, AdminGate gate, IWebHostEnvironment environment)
    {
        if (!gate.IsConfigured)
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = "no-store";
        if (gate.Check(context) is IResult refused)
        {
            // The sign-in form, unless the address must wait after too many wrong keys.
            return refused is IStatusCodeHttpResult { StatusCode: StatusCodes.Status429TooManyRequests }
                ? refused
                : await LoginPageAsync(environment, context.Request.Query.ContainsKey("denied")).ConfigureAwait(false);
        }

        IFileInfo page = environment.WebRootFileProvider.GetFileInfo(DashboardFile);
        return page.Exists
            ? Results.Stream(page.CreateReadStream(), "text/html; charset=utf-8")
            : Results.Problem("The dashboard page is missing from wwwroot: build src/Sfu.WebClient.");
    }

    /// <summary>
    /// The dashboard's login form posts the key here; a right key starts a session whose id
    /// becomes an HttpOnly, SameSite=Strict cookie (Secure over HTTPS).
    /// </summary>
    private static async Task<IResult> LoginAsync(HttpContext context, AdminGate gate, AdminSessions sessions)
    {
        if (!gate.IsConfigured)
        {
            return Results.NotFound();
        }

        if (AdminGate.Origin(context.Request, keyInHeader: false) is IResult crossOrigin)
        {
            return crossOrigin;
        }

        if (!context.Request.HasFormContentType)
        {
            return Results.BadRequest(new AdminError("Post the key as a form field named 'key'."));
        }

        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        IResult? refused = gate.CheckKey(context, form["key"].ToString());
        if (refused is not null)
        {
            return refused is IStatusCodeHttpResult { StatusCode: StatusCodes.Status429TooManyRequests }
                ? refused
                : Results.Redirect(DashboardPath + "?denied", permanent: false, preserveMethod: false);
        }

        context.Response.Cookies.Append(AdminSessions.CookieName, sessions.Create(), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = sessions.Lifetime,
        });
        return Results.Redirect(DashboardPath);
    }

    /// <summary>Sign out: the session ends on the server, so the cookie is worthless even if kept or copied.</summary>
    private static IResult Logout(HttpContext context, AdminSessions sessions)
    {
        if (AdminGate.Origin(context.Request, keyInHeader: false) is IResult crossOrigin)
        {
            return crossOrigin;
        }

        sessions.Revoke(context.Request);
        context.Response.Cookies.Delete(AdminSessions.CookieName, new CookieOptions { Path = "/" });
        return Results.Redirect(DashboardPath);
    }

    private static IResult CloseRoom(string room, SfuEngine engine)
    {
        Room? found = engine.Rooms.Find(room);
        if (found is null)
        {
            return NoSuchRoom(room);
        }

        foreach (Participant participant in found.Participants)
        {
            engine.Remove(participant, RoomClosedReason);
        }

        return Results.NoContent();
    }

    private static IResult Kick(string room, string id, SfuEngine engine)
    {
        Room? found = engine.Rooms.Find(room);
        if (found is null)
        {
            return NoSuchRoom(room);
        }

        Participant? participant = found.Participants.FirstOrDefault(p => p.Id == id);
        if (participant is null)
        {
            return Results.NotFound(new AdminError($"Room '{room}' has no participant '{id}'."));
        }

        engine.Remove(participant, KickReason);
        return Results.NoContent();
    }

    private static IResult NoSuchRoom(string room) => Results.NotFound(new AdminError($"No room named '{room}' is live."));

    /// <summary>
    /// The sign-in form (wwwroot/admin-login.html) with status 401, saying so when the last
    /// key was wrong.
    /// </summary>
    private static async Task<IResult> LoginPageAsync(IWebHostEnvironment environment, bool denied)
    {
        IFileInfo page = environment.WebRootFileProvider.GetFileInfo(LoginFile);
        if (!page.Exists)
        {
            return Results.Json(new AdminError("The admin key is missing or wrong."), statusCode: StatusCodes.Status401Unauthorized);
        }

        string html;
        using (var reader = new StreamReader(page.CreateReadStream()))
        {
            html = await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        if (denied)
        {
            html = html.Replace(DeniedMarker, """<p class="error" data-testid="admin-login-error" role="alert">That key is not the admin key.</p>""", StringComparison.Ordinal);
        }

        return Results.Content(html, "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "The admin dashboard and API are off: set {Section}:Key (for example --Sfu:Admin:Key=<secret> or environment Sfu__Admin__Key) to turn them on")]
    private static partial void LogAdminOff(ILogger logger, string section);
}
