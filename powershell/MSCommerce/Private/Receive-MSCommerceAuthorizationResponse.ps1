function Receive-MSCommerceAuthorizationResponse {
    <#
    .SYNOPSIS
        Waits for the browser's redirect on the loopback listener, answers the browser, and returns the code.

    .DESCRIPTION
        Waits at most -TimeoutSeconds for a request on the redirect path; requests for other paths (a browser
        asking for /favicon.ico) get 404 and the wait goes on. The redirect is checked by
        Resolve-MSCommerceAuthorizationResponse (state first, then error, then code); the browser gets a small
        page either way that says the result and that the window can be closed. The wait is cut in half-second
        steps so that Ctrl+C stops it. When the time is up, ErrorId 'SignInTimedOut' names -UseDeviceCode.

    .PARAMETER Loopback
        What Open-MSCommerceLoopbackListener returned.

    .PARAMETER ExpectedState
        The state sent with the authorization request.

    .PARAMETER TimeoutSeconds
        How long to wait for the person to sign in.

    .EXAMPLE
        Receive-MSCommerceAuthorizationResponse -Loopback $loopback -ExpectedState $state -TimeoutSeconds 300

        Returns the authorization code once the person has signed in.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [object]$Loopback,

        [Parameter(Mandatory)]
        [string]$ExpectedState,

        [ValidateRange(1, 86400)]
        [int]$TimeoutSeconds = 300
    )

    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $pending = $Loopback.Listener.GetContextAsync()
        while (-not $pending.Wait(500)) {
            if ([datetime]::UtcNow -ge $deadline) {
                $splatError = @{
                    Message      = "Unable to establish connection, ErrorMessage - No sign-in reached $($Loopback.RedirectUri) within $TimeoutSeconds seconds. Run Connect-MSCommerce again, or use Connect-MSCommerce -UseDeviceCode where no browser can reach this computer."
                    ErrorId      = 'SignInTimedOut'
                    Category     = 'OperationTimeout'
                    TargetObject = $Loopback.RedirectUri
                }
                $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
            }
        }
        $context = $pending.Result
        if ($context.Request.Url.AbsolutePath -ne $Loopback.Path) {
            $context.Response.StatusCode = 404
            $context.Response.Close()
            continue
        }

        $query = ConvertFrom-MSCommerceQueryString -Query $context.Request.Url.Query
        $code = $null
        $failure = $null
        try {
            $code = Resolve-MSCommerceAuthorizationResponse -Query $query -ExpectedState $ExpectedState
            $heading = 'You are signed in to MSCommerce'
            $text = 'You can close this window and go back to PowerShell.'
        }
        catch {
            $failure = $_
            $heading = 'The sign-in to MSCommerce failed'
            $text = $_.Exception.Message.Replace('Unable to establish connection, ErrorMessage - ', '') + ' You can close this window.'
        }
        $encodedHeading = [System.Net.WebUtility]::HtmlEncode($heading)
        $encodedText = [System.Net.WebUtility]::HtmlEncode($text)
        $page = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>MSCommerce</title></head><body><h1>{0}</h1><p>{1}</p></body></html>' -f $encodedHeading, $encodedText
        $bytes = [System.Text.Encoding]::UTF8.GetBytes($page)
        $context.Response.StatusCode = 200
        $context.Response.ContentType = 'text/html; charset=utf-8'
        $context.Response.Headers.Add('Cache-Control', 'no-store')
        $context.Response.ContentLength64 = $bytes.Length
        $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
        $context.Response.Close()

        if ($null -ne $failure) {
            $PSCmdlet.ThrowTerminatingError($failure)
        }
        return $code
    }
}
