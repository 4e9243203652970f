function Get-MSCommerceCallerToken {
    <#
    .SYNOPSIS
        Returns the token a public command sends: -Token, else nothing when connected, else the caller's $token.

    .DESCRIPTION
        Microsoft's module keeps the token in a variable 'token' of the caller's session state and reads it back
        from there, so scripts written for it set $token = (Get-MsalToken ...).AccessToken and call the cmdlets
        without -Token. When -Token is not given and there is no connection, a non-empty string $token visible
        from the caller is used. -Token always wins, and a connection wins over $token, so a stale variable never
        replaces a token that is renewed.

    .PARAMETER Token
        The -Token the public command was given.

    .PARAMETER SessionState
        $PSCmdlet.SessionState of the public command: the caller's session state, not the module's (PowerShell's
        CommandBase.cs, State, is created from the engine's session state before the function's module session
        state is switched in).

    .EXAMPLE
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState

        The first line of a public command that takes -Token.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [AllowNull()]
        [string]$Token,

        [Parameter(Mandatory)]
        [System.Management.Automation.SessionState]$SessionState
    )

    if (-not [string]::IsNullOrWhiteSpace($Token)) {
        return $Token
    }
    $connection = $script:MSCommerceConnection
    if ($null -ne $connection -and -not [string]::IsNullOrEmpty($connection.AccessToken)) {
        return $Token
    }
    $callerToken = $SessionState.PSVariable.GetValue('token')
    if ($callerToken -is [string] -and -not [string]::IsNullOrWhiteSpace($callerToken)) {
        Write-Verbose -Message 'Not connected and no -Token given: using the $token variable, as Microsoft''s module does.'
        return $callerToken
    }
    return $Token
}
