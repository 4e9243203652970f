function Resolve-MSCommerceAuthorizationResponse {
    <#
    .SYNOPSIS
        Checks the browser's redirect after a sign-in and returns its authorization code.

    .DESCRIPTION
        The state must equal the one sent with the authorization request, compared exactly, before anything
        else is read: an answer with another state or none was not caused by this sign-in (a forged redirect,
        RFC 6749 section 10.12) and is refused, ErrorId 'AuthorizationStateMismatch'. An 'error' answer
        (RFC 6749 section 4.1.2.1) becomes 'AuthorizationFailed' with the service's error and description. An
        answer without a code is 'AuthorizationCodeMissing'.

    .PARAMETER Query
        The parameters of the redirect (ConvertFrom-MSCommerceQueryString).

    .PARAMETER ExpectedState
        The state sent with the authorization request.

    .EXAMPLE
        Resolve-MSCommerceAuthorizationResponse -Query @{ code = 'abc'; state = 's1' } -ExpectedState 's1'

        Returns 'abc'.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [System.Collections.IDictionary]$Query,

        [Parameter(Mandatory)]
        [string]$ExpectedState
    )

    $state = [string]$Query['state']
    if (-not [string]::Equals($state, $ExpectedState, [System.StringComparison]::Ordinal)) {
        $splatError = @{
            Message      = 'Unable to establish connection, ErrorMessage - The answer that reached the browser carries another state than this sign-in sent, so it was not caused by it and was refused. Run Connect-MSCommerce again.'
            ErrorId      = 'AuthorizationStateMismatch'
            Category     = 'SecurityError'
            TargetObject = $state
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }
    $errorCode = [string]$Query['error']
    if (-not [string]::IsNullOrEmpty($errorCode)) {
        $splatError = @{
            Message      = "Unable to establish connection, ErrorMessage - The sign-in was not completed: $errorCode. $([string]$Query['error_description'])".TrimEnd(' ', '.') + '.'
            ErrorId      = 'AuthorizationFailed'
            Category     = 'AuthenticationError'
            TargetObject = $errorCode
            Data         = @{ ErrorCode = $errorCode; Reason = [string]$Query['error_description'] }
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }
    $code = [string]$Query['code']
    if ([string]::IsNullOrEmpty($code)) {
        $splatError = @{
            Message      = 'Unable to establish connection, ErrorMessage - The answer that reached the browser carries no authorization code.'
            ErrorId      = 'AuthorizationCodeMissing'
            Category     = 'AuthenticationError'
            TargetObject = $null
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }
    return $code
}
