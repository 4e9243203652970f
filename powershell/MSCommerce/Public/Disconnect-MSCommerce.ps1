function Disconnect-MSCommerce {
    <#
    .SYNOPSIS
        Forgets the connection made by Connect-MSCommerce.

    .DESCRIPTION
        After a browser or device code sign-in, first asks the service to revoke the refresh token
        (POST {Uri}/{TenantId}/oauth2/v2.0/revoke, RFC 7009), so that it and every token renewed from the same
        sign-in can no longer be used; if the service cannot be reached, a warning says so and the connection is
        forgotten all the same. Then removes the access token, the refresh token, the service address and any
        stored credential, client secret or certificate from the module's session. Later commands fail with
        "You must call the Connect-MSCommerce cmdlet before calling any other cmdlets" until Connect-MSCommerce
        runs again, unless they are given -Token. Disconnecting when not connected does nothing. The access
        token itself stays valid at the service until it expires (an hour at most).

    .EXAMPLE
        Disconnect-MSCommerce

        Forgets the current connection.

    .EXAMPLE
        Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' | Export-Csv -Path './policy.csv'; Disconnect-MSCommerce

        Exports the product values, then forgets the connection.

    .INPUTS
        None.

    .OUTPUTS
        None.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param()

    if ($null -eq $script:MSCommerceConnection) {
        Write-Verbose -Message 'Not connected; nothing to forget.'
        return
    }
    $connection = $script:MSCommerceConnection
    $tokenRequest = $connection.TokenRequest
    if ($null -ne $tokenRequest -and $tokenRequest.GrantType -eq 'refresh_token' -and -not [string]::IsNullOrEmpty($tokenRequest.RefreshToken)) {
        $splatRevoke = @{
            Method        = 'POST'
            Path          = '/{tenantId}/oauth2/v2.0/revoke'
            PathParameter = @{ tenantId = $tokenRequest.TenantId }
            FormBody      = [ordered]@{
                token           = $tokenRequest.RefreshToken
                token_type_hint = 'refresh_token'
                client_id       = $tokenRequest.ClientId
            }
            Anonymous     = $true
            BaseUri       = $connection.Uri
            ErrorContext  = 'Unable to sign out'
            TargetObject  = $connection.Uri
        }
        try {
            $null = Invoke-MSCommerceRestMethod @splatRevoke
            Write-Verbose -Message 'The service revoked the refresh token of this sign-in.'
        }
        catch {
            Write-Warning -Message "The refresh token of this sign-in could not be revoked, so it stays valid at the service until it expires: $($_.Exception.Message)"
        }
    }
    Write-Verbose -Message "Forgetting the connection to $($connection.Uri)."
    # The $token Connect-MSCommerce gave the caller goes too, or the commands would go on using it; a $token the
    # caller set to something else stays.
    if ($PSCmdlet.SessionState.PSVariable.GetValue('token') -eq $script:MSCommerceConnection.AccessToken) {
        $PSCmdlet.SessionState.PSVariable.Set('token', $null)
    }
    $script:MSCommerceConnection = $null
}
