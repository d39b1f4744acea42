namespace Sfu.Browser.Tests;

/// <summary>
/// A room page in any browser, as the media checks need it: a name for messages and a way to
/// run a script function in the page (Playwright for Chromium, WebDriver BiDi for Firefox).
/// </summary>
public interface IMediaPage
{
    string Name { get; }

    /// <summary>Calls <paramref name="script"/> (JavaScript, possibly async) with <paramref name="arg"/> and returns its JSON result.</summary>
    Task<T> CallAsync<T>(string script, object? arg = null);
}
