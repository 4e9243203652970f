function Get-MSCommerceAuthenticationMessage {
    <#
    .SYNOPSIS
        Returns the message for a 401 answer, naming its real cause.

    .DESCRIPTION
        Microsoft's module says "Your credentials have expired" for every 401, even for a token meant for another
        service. This module keeps that exact text for an expired token (errorCode TokenExpired) and says what
        actually happened for the other errorCodes of the service; the service's reason is appended to those.
        An errorCode it does not know gives $null, and the caller keeps the generic message, which shows the body.

    .PARAMETER ErrorCode
        The errorCode of the answer.

    .PARAMETER Reason
        The reason of the answer.

    .EXAMPLE
        Get-MSCommerceAuthenticationMessage -ErrorCode 'TokenExpired'

        Returns Microsoft's text: "Your credentials have expired. Please, call Connect-MSCommerce again to regain
        access to MSCommerce Module."

    .OUTPUTS
        System.String, or nothing for an unknown errorCode.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [string]$ErrorCode,

        [AllowEmptyString()]
        [string]$Reason
    )

    $messages = @{
        TokenExpired              = 'Your credentials have expired. Please, call Connect-MSCommerce again to regain access to MSCommerce Module.'
        TokenMissing              = 'You are not signed in: the request carried no access token. Call Connect-MSCommerce, or pass -Token.'
        TokenInvalidAudience      = 'You are not signed in to this service: the access token was issued for another service (audience).'
        TokenInvalidIssuer        = 'You are not signed in to this service: the access token comes from an issuer it does not trust.'
        TokenMalformed            = 'The access token is not a JWT; it may be cut short or have extra characters.'
        TokenUnsupportedAlgorithm = 'The access token is signed with an algorithm this service refuses.'
        TokenUnknownKey           = 'The access token is signed with a key this service does not know (another server, or a replaced key).'
        TokenInvalidSignature     = 'The access token signature does not verify: the token was altered.'
        TokenNotYetValid          = 'The access token is not valid yet: check that this computer and the service agree on the time.'
        TokenInvalidClaims        = 'The access token lacks a claim this service requires (tid, oid or exp).'
        invalid_client            = 'Unable to establish connection: the client ID or the client secret was not accepted.'
    }

    if ($ErrorCode -eq 'TokenExpired') {
        return $messages['TokenExpired']
    }
    $sentence = $messages[$ErrorCode]
    if ([string]::IsNullOrEmpty($sentence)) {
        return $null
    }
    if (-not [string]::IsNullOrEmpty($Reason)) {
        $sentence = '{0} Service reason: {1}' -f $sentence, $Reason
    }
    return $sentence
}
