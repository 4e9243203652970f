function Get-MSCommercePolicies {
    <#
    .SYNOPSIS
        Lists the policies of the tenant (today: AllowSelfServicePurchase).

    .DESCRIPTION
        Calls GET /v1.0/policies and returns one MSCommerce.Policy object per policy, with the property names of
        Microsoft's module: PolicyId, Description and DefaultValue. DefaultValue is the value new products start
        with; it cannot be changed. On failure it writes an error whose message starts with
        "Failed to retrieve policies".

    .PARAMETER Token
        An access token to use for this call instead of the one Connect-MSCommerce obtained. With -Token the
        command works without Connect-MSCommerce; the service address is then $env:MSCOMMERCE_URI, or
        http://localhost:8080.

    .EXAMPLE
        Get-MSCommercePolicies

        Lists the policies.

    .EXAMPLE
        Get-MSCommercePolicies | Get-MSCommerceProductPolicies

        Lists the value of every product for every policy.

    .EXAMPLE
        Get-MSCommercePolicies -Token $token

        Lists the policies with a token obtained elsewhere, without Connect-MSCommerce.

    .INPUTS
        None.

    .OUTPUTS
        MSCommerce.Policy. Properties: PolicyId, Description, DefaultValue.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.Policy')]
    param(
        [Parameter(Position = 0)]
        [string]$Token
    )

    $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState

    $splatRest = @{
        Method       = 'GET'
        Path         = '/v1.0/policies'
        Token        = $Token
        ErrorContext = 'Failed to retrieve policies'
    }
    try {
        $response = Invoke-MSCommerceRestMethod @splatRest
    }
    catch {
        Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        return
    }
    foreach ($item in $response.items) {
        ConvertTo-MSCommercePolicy -InputObject $item
    }
}
