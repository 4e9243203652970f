function Disconnect-MSCommerce {
    <#
    .SYNOPSIS
        Forgets the connection made by Connect-MSCommerce.

    .DESCRIPTION
        Removes the access token, the service address and any stored credential or client secret from the
        module's session. Later commands fail with "You must call the Connect-MSCommerce cmdlet before calling
        any other cmdlets" until Connect-MSCommerce runs again, unless they are given -Token. Disconnecting when
        not connected does nothing. The token itself stays valid at the service until it expires.

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
    Write-Verbose -Message "Forgetting the connection to $($script:MSCommerceConnection.Uri)."
    # The $token Connect-MSCommerce gave the caller goes too, or the commands would go on using it; a $token the
    # caller set to something else stays.
    if ($PSCmdlet.SessionState.PSVariable.GetValue('token') -eq $script:MSCommerceConnection.AccessToken) {
        $PSCmdlet.SessionState.PSVariable.Set('token', $null)
    }
    $script:MSCommerceConnection = $null
}
