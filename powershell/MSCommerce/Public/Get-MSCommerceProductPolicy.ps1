function Get-MSCommerceProductPolicy {
    <#
    .SYNOPSIS
        Gets the value of a policy for one or more products, or for one third-party offer type.

    .DESCRIPTION
        Product set: calls GET /v1.0/policies/{PolicyId}/products/{ProductId} for each product ID and returns
        MSCommerce.ProductPolicy objects (PolicyId, PolicyValue, ProductName, ProductId). Old product IDs (from
        before Microsoft re-issued them) are accepted; the answer names the current ID.
        OfferType set: calls GET /v1.0/policies/{PolicyId}/offerTypes/{OfferType} and returns an
        MSCommerce.OfferTypePolicy object (PolicyId, PolicyValue, Scope, ScopeValue, ScopeId).
        A product that does not exist gives a non-terminating error (ErrorId ProductNotFound, category
        ObjectNotFound) whose message starts with
        "Failed to retrieve product policy with PolicyId '<id>' ProductId '<product>'", and the other products
        are still read.

    .PARAMETER PolicyId
        The policy, for example AllowSelfServicePurchase. Binds from the PolicyId property of piped objects.

    .PARAMETER ProductId
        One or more product IDs, for example CFQ7TTC0H9MP (Power BI Pro). Binds from the ProductId property of
        piped objects.

    .PARAMETER OfferType
        A third-party offer type: SaaS, POWERBIVISUALS, DYNAMICSCE or DYNAMICSBC. Binds from the OfferType or
        ScopeId property of piped objects.

    .PARAMETER Token
        An access token to use for this call instead of the one Connect-MSCommerce obtained. With -Token the
        command works without Connect-MSCommerce; the service address is then $env:MSCOMMERCE_URI, or
        http://localhost:8080.

    .EXAMPLE
        Get-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP'

        Gets the value for Power BI Pro.

    .EXAMPLE
        Get-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP', 'CFQ7TTC0HDB1'

        Gets the values for Power BI Pro and Project Plan 1.

    .EXAMPLE
        Get-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -OfferType 'SaaS'

        Gets the value for third-party SaaS offers.

    .EXAMPLE
        Import-Csv -Path './products.csv' | Get-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase'

        Gets the value of every product listed in the ProductId column of a CSV file.

    .INPUTS
        Objects with PolicyId, ProductId, OfferType or ScopeId properties.

    .OUTPUTS
        MSCommerce.ProductPolicy (PolicyId, PolicyValue, ProductName, ProductId) or MSCommerce.OfferTypePolicy
        (PolicyId, PolicyValue, Scope, ScopeValue, ScopeId).
    #>
    [CmdletBinding(DefaultParameterSetName = 'Product')]
    [OutputType('MSCommerce.ProductPolicy', ParameterSetName = 'Product')]
    [OutputType('MSCommerce.OfferTypePolicy', ParameterSetName = 'OfferType')]
    param(
        # Positions 0, 1 and 2 are those of Microsoft's 1.x (no parameter sets, so automatic positions in
        # declaration order): Get-MSCommerceProductPolicy AllowSelfServicePurchase CFQ7TTC0H9MP $token. 2.x's
        # calls name every parameter, so they bind as before. A second positional value goes to the default
        # set's -ProductId: the binder tries the default parameter set first (ParameterBinderController.cs,
        # BindPositionalParameters, "Favor the default parameter set").
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$PolicyId,

        [Parameter(Mandatory, Position = 1, ParameterSetName = 'Product', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]]$ProductId,

        [Parameter(Mandatory, Position = 1, ParameterSetName = 'OfferType', ValueFromPipelineByPropertyName)]
        [Alias('ScopeId')]
        [ValidateNotNullOrEmpty()]
        [string]$OfferType,

        [Parameter(Position = 2)]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if ($PSCmdlet.ParameterSetName -eq 'OfferType') {
            $splatOfferType = @{
                Method        = 'GET'
                Path          = '/v1.0/policies/{policyId}/offerTypes/{offerType}'
                PathParameter = @{ policyId = $PolicyId; offerType = $OfferType }
                Token         = $Token
                ErrorContext  = "Failed to retrieve product policy with PolicyId '$PolicyId' OfferType '$OfferType'"
                TargetObject  = $OfferType
            }
            try {
                ConvertTo-MSCommercePolicyItem -InputObject (Invoke-MSCommerceRestMethod @splatOfferType)
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            }
            return
        }

        foreach ($id in $ProductId) {
            $splatProduct = @{
                Method        = 'GET'
                Path          = '/v1.0/policies/{policyId}/products/{productId}'
                PathParameter = @{ policyId = $PolicyId; productId = $id }
                Token         = $Token
                ErrorContext  = "Failed to retrieve product policy with PolicyId '$PolicyId' ProductId '$id'"
                TargetObject  = $id
            }
            try {
                ConvertTo-MSCommercePolicyItem -InputObject (Invoke-MSCommerceRestMethod @splatProduct)
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            }
        }
    }
}
