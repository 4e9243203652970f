function Get-MSCommerceProductPolicies {
    <#
    .SYNOPSIS
        Lists the value of a policy for every product, or for every third-party offer type.

    .DESCRIPTION
        Calls GET /v1.0/policies/{PolicyId}/products?scope=<Scope>. Like Microsoft's module 2.x it sends
        scope=product unless -Scope says otherwise; -Scope OfferType lists the third-party offer types (SaaS,
        POWERBIVISUALS, DYNAMICSCE, DYNAMICSBC). Products come back as MSCommerce.ProductPolicy objects
        (PolicyId, PolicyValue, ProductName, ProductId) and offer types as MSCommerce.OfferTypePolicy objects
        (PolicyId, PolicyValue, Scope, ScopeValue, ScopeId), which Update-MSCommerceProductPolicy accepts from the
        pipeline. On failure it writes an error whose message starts with
        "Failed to retrieve product policy with PolicyId '<id>'".

    .PARAMETER PolicyId
        The policy, for example AllowSelfServicePurchase. Binds from the PolicyId property of piped objects.

    .PARAMETER Token
        An access token to use for this call instead of the one Connect-MSCommerce obtained. With -Token the
        command works without Connect-MSCommerce; the service address is then $env:MSCOMMERCE_URI, or
        http://localhost:8080.

    .PARAMETER Scope
        What to list: 'product' (the default) or 'OfferType'. Other values are passed to the service, which
        answers 400 BadRequest "Invalid scope.". An empty value or $null means 'product', as in Microsoft's 2.x.
        Microsoft's 1.x and 2.x disagree on the second position: 1.x's is -Token, 2.x's is -Scope. A second
        value that is one of the scopes, 'product' or 'OfferType' (never an access token, which is a JWT), is
        taken as the scope, so both Get-MSCommerceProductPolicies AllowSelfServicePurchase $token and
        Get-MSCommerceProductPolicies AllowSelfServicePurchase OfferType work. Any other value stays a token, so
        a wrong token is still reported as one.

    .PARAMETER TenantId
        Customers of the signed-in partner whose values to list (tenant IDs or domain names), each with a token
        from that customer's token endpoint while a delegated admin relationship with it is active (see
        Set-MSCommerceProductPolicyBaseline). Each object then carries the customer's TenantId; a customer that
        fails is a non-terminating error naming it. Needs Connect-MSCommerce (not -Token).

    .EXAMPLE
        Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase'

        Lists every product with its value.

    .EXAMPLE
        Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' -TenantId (Get-MSCommercePartnerCustomer -ActiveOnly).TenantId | Where-Object -Property PolicyValue -EQ 'Enabled' | Format-Table -Property TenantId, ProductName

        As a partner, lists the products each customer still allows.

    .EXAMPLE
        Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' | Update-MSCommerceProductPolicy -Value 'Disabled'

        Disables self-service purchase for every product.

    .EXAMPLE
        Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' -Scope 'OfferType'

        Lists the third-party offer types with their value.

    .EXAMPLE
        Get-MSCommerceProductPolicies 'AllowSelfServicePurchase' 'OfferType'

        The same, written positionally as for Microsoft's 2.x.

    .EXAMPLE
        Get-MSCommerceProductPolicies 'AllowSelfServicePurchase' | Where-Object -Property PolicyValue -EQ 'Enabled'

        Lists the products that can still be bought.

    .INPUTS
        Objects with a PolicyId property.

    .OUTPUTS
        MSCommerce.ProductPolicy (PolicyId, PolicyValue, ProductName, ProductId) or MSCommerce.OfferTypePolicy
        (PolicyId, PolicyValue, Scope, ScopeValue, ScopeId).
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.ProductPolicy', 'MSCommerce.OfferTypePolicy')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$PolicyId,

        [Parameter(Position = 1)]
        [string]$Token,

        [Parameter(Position = 2)]
        [AllowEmptyString()]
        [AllowNull()]
        [string]$Scope = 'product',

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]]$TenantId
    )

    begin {
        # 2.x's positional call Get-MSCommerceProductPolicies <PolicyId> <Scope> puts the scope into 1.x's -Token
        # position. A scope name is never a JWT, so it is taken as the scope; -contains ignores case, as the
        # service's scope does.
        if ($PSBoundParameters.ContainsKey('Token') -and -not $PSBoundParameters.ContainsKey('Scope') -and
            @('product', 'OfferType') -contains $Token.Trim()) {
            Write-Verbose -Message "'$Token' is not an access token: using it as -Scope, as Microsoft's 2.x does."
            $Scope = $Token
            $Token = ''
        }
        if ([string]::IsNullOrWhiteSpace($Scope)) {
            $Scope = 'product'
        }
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        # Without -TenantId, the connection's own organization; with it, each customer in turn.
        $tenants = @($null)
        if ($PSBoundParameters.ContainsKey('TenantId')) {
            $tenants = @($TenantId)
        }
        foreach ($tenant in $tenants) {
            $splatRest = @{
                Method        = 'GET'
                Path          = '/v1.0/policies/{policyId}/products'
                PathParameter = @{ policyId = $PolicyId }
                Query         = @{ scope = $Scope }
                Token         = $Token
                ErrorContext  = "Failed to retrieve product policy with PolicyId '$PolicyId'"
                TargetObject  = $PolicyId
            }
            try {
                if ($null -ne $tenant) {
                    $splatRest['Token'] = Get-MSCommerceTenantToken -TenantId $tenant
                    $splatRest['ErrorContext'] = "Failed to retrieve product policy with PolicyId '$PolicyId' of the organization '$tenant'"
                }
                $response = Invoke-MSCommerceRestMethod @splatRest
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
                continue
            }
            foreach ($item in $response.items) {
                $policy = ConvertTo-MSCommercePolicyItem -InputObject $item
                if ($null -ne $tenant) {
                    $policy | Add-Member -MemberType NoteProperty -Name 'TenantId' -Value $tenant
                }
                $policy
            }
        }
    }
}
