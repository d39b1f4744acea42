using Microsoft.Extensions.Primitives;

namespace Sfu.Host.Admin;

/// <summary>
/// Decides whether a request may use admin: the key in a header (with the per-address
/// back-off of <see cref="AdminBackoff"/>) or a live dashboard session cookie; and, for a
/// request that changes state, that it comes from our own pages: an <c>Origin</c> equal to the
/// server's own, or none at all when the key travels in a header (a script, not a browser
/// that some other site's page could drive with our cookie).
/// </summary>
public sealed class AdminGate(AdminKey key, AdminSessions sessions, AdminBackoff backoff)
{
    public bool IsConfigured => key.IsConfigured;

    /// <summary>Checks the request; null when it may go on, else the answer to give.</summary>
    public IResult? Check(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpRequest request = context.Request;
        string? presented = AdminKey.Presented(request);
        if (ChangesState(request.Method) && Origin(request, presented is not null) is IResult refused)
        {
            return refused;
        }

        if (presented is null)
        {
            return sessions.IsValid(request) ? null : Unauthorized(context);
        }

        return CheckKey(context, presented);
    }

    /// <summary>A key presented in a header or the sign-in form: null when it is right, else 429 (waiting) or 401.</summary>
    public IResult? CheckKey(HttpContext context, string? presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress;
        if (backoff.RetryAfter(address) is TimeSpan wait)
        {
            return TooManyAttempts(context, wait);
        }

        if (key.Matches(presented))
        {
            backoff.Succeeded(address);
            return null;
        }

        backoff.Failed(address);
        return Unauthorized(context);
    }

    /// <summary>
    /// Refuses a state-changing request from another origin (CSRF), or one with no Origin whose
    /// credentials are only the cookie. <paramref name="keyInHeader"/>: a script sent the key.
    /// </summary>
    public static IResult? Origin(HttpRequest request, bool keyInHeader)
    {
        ArgumentNullException.ThrowIfNull(request);
        StringValues origin = request.Headers.Origin;
        if (StringValues.IsNullOrEmpty(origin))
        {
            return keyInHeader || !request.Cookies.ContainsKey(AdminSessions.CookieName)
                ? null
                : Results.Json(new AdminError("A state-changing admin request from a browser must carry its Origin."), statusCode: StatusCodes.Status403Forbidden);
        }

        string own = $"{request.Scheme}://{request.Host.Value}";
        return string.Equals(origin.ToString(), own, StringComparison.OrdinalIgnoreCase)
            ? null
            : Results.Json(new AdminError("Cross-origin admin requests are refused."), statusCode: StatusCodes.Status403Forbidden);
    }

    public static bool ChangesState(string method)
        => !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));

    private static IResult Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"SfuRouter admin\"";
        return Results.Json(
            new AdminError($"The admin key is missing or wrong: send 'Authorization: Bearer <key>' or '{AdminKey.HeaderName}: <key>'."),
            statusCode: StatusCodes.Status401Unauthorized);
    }

    private static IResult TooManyAttempts(HttpContext context, TimeSpan wait)
    {
        int seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(
            new AdminError($"Too many wrong admin keys from your address: try again in {seconds} s."),
            statusCode: StatusCodes.Status429TooManyRequests);
    }
}
