# The module against the real service: 'mscommerce serve' on a free port with a new SQLite file. The binary is
# $env:MSCOMMERCE_BIN, else target/debug/mscommerce (build it with: cargo build -p mscommerce-server).

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
    $script:service = Start-MSCommerceTestService
    # Commands given -Token without a connection go to $env:MSCOMMERCE_URI.
    $script:savedUri = $env:MSCOMMERCE_URI
    $env:MSCOMMERCE_URI = $service.Uri
    $password = ConvertTo-SecureString -String $service.AdminPassword -AsPlainText -Force
    $script:admin = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $service.AdminUser, $password
    $script:policyId = 'AllowSelfServicePurchase'
    $script:powerBiPro = 'CFQ7TTC0H9MP'
}

AfterAll {
    Disconnect-MSCommerce
    $env:MSCOMMERCE_URI = $script:savedUri
    if ($null -ne $script:service) {
        Stop-MSCommerceTestService -Service $script:service
    }
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'MSCommerce against mscommerce serve' -Tag 'Integration' {
    Context 'Before signing in' {
        It 'Should ask for Connect-MSCommerce' {
            Disconnect-MSCommerce
            { Get-MSCommercePolicies } | Should -Throw -ExpectedMessage 'You must call the Connect-MSCommerce cmdlet before calling any other cmdlets'
        }

        It 'Should refuse a token that is not a JWT with TokenMalformed' {
            { Get-MSCommercePolicies -Token 'not-a-jwt' } | Should -Throw -ErrorId 'TokenMalformed*'
        }

        It 'Should refuse a wrong password with "Unable to establish connection"' {
            $wrong = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $service.AdminUser, (ConvertTo-SecureString -String 'wrong' -AsPlainText -Force)
            { Connect-MSCommerce -Uri $service.Uri -Credential $wrong } | Should -Throw -ExpectedMessage 'Unable to establish connection*'
        }
    }

    Context 'Walkthrough' {
        It 'Should connect as the Global Administrator' {
            $everything = @(Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>&1)
            [string]$everything[0].MessageData | Should -Be 'Connection established successfully'
        }

        It 'Should list the policy' {
            $policies = @(Get-MSCommercePolicies)
            $policies.PolicyId | Should -Contain $policyId
            (Get-MSCommercePolicy -PolicyId $policyId).DefaultValue | Should -Be 'Enabled'
        }

        It 'Should list the products with their names' {
            $products = @(Get-MSCommerceProductPolicies -PolicyId $policyId)
            $products.Count | Should -BeGreaterThan 5
            ($products | Where-Object -Property ProductId -EQ $powerBiPro).ProductName | Should -Be 'Power BI Pro'
        }

        It 'Should disable Power BI Pro and read it back' {
            $updated = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Disabled' 6>$null
            $updated.PolicyValue | Should -Be 'Disabled'
            (Get-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro).PolicyValue | Should -Be 'Disabled'
        }

        It 'Should match IDs case-insensitively and answer with the canonical spelling' {
            (Get-MSCommerceProductPolicy -PolicyId 'allowselfservicepurchase' -ProductId $powerBiPro.ToLowerInvariant()).ProductId | Should -BeExactly $powerBiPro
        }

        It 'Should accept the older -Enabled syntax' {
            (Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Enabled $true 6>$null).PolicyValue | Should -Be 'Enabled'
            (Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Enabled $false 6>$null).PolicyValue | Should -Be 'Disabled'
        }

        It 'Should show the change in the audit log' {
            $entries = @(Get-MSCommerceAuditLog -First 10)
            $entries.Count | Should -BeGreaterThan 0
            $latest = $entries[0]
            $latest.TargetId | Should -Be $powerBiPro
            $latest.NewValue | Should -Be 'Disabled'
            $latest.ActorName | Should -Be $service.AdminUser
            $latest.ChangedAt | Should -BeOfType [datetime]
        }

        It 'Should page through the audit log with a small -Top' {
            $all = @(Get-MSCommerceAuditLog)
            $paged = @(Get-MSCommerceAuditLog -Top 1)
            $paged.Count | Should -Be $all.Count
            @($paged | ForEach-Object -Process { $_.Id }) | Should -Be @($all | ForEach-Object -Process { $_.Id })
        }
    }

    Context 'Offer types' {
        It 'Should list the offer types' {
            $offerTypes = @(Get-MSCommerceProductPolicies -PolicyId $policyId -Scope 'OfferType')
            $offerTypes.ScopeId | Should -Contain 'SaaS'
            $offerTypes[0].PSObject.TypeNames | Should -Contain 'MSCommerce.OfferTypePolicy'
        }

        It 'Should disable and enable an offer type' {
            (Update-MSCommerceProductPolicy -PolicyId $policyId -OfferType 'SaaS' -Value 'Disabled' 6>$null).PolicyValue | Should -Be 'Disabled'
            (Get-MSCommerceProductPolicy -PolicyId $policyId -OfferType 'SaaS').PolicyValue | Should -Be 'Disabled'
            (Update-MSCommerceProductPolicy -PolicyId $policyId -OfferType 'SaaS' -Value 'Enabled' 6>$null).PolicyValue | Should -Be 'Enabled'
        }
    }

    Context 'Errors from the service' {
        It 'Should report an unknown product as ObjectNotFound with the service''s errorCode' {
            $null = Get-MSCommerceProductPolicy -PolicyId $policyId -ProductId 'CFQ7NOTAPRODUCT' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ProductNotFound*'
            $failures[0].Exception.Message | Should -BeLike "Failed to retrieve product policy with PolicyId '$policyId' ProductId 'CFQ7NOTAPRODUCT', ErrorMessage - * ErrorDetails - *ProductNotFound*"
        }

        It 'Should report a value the product does not allow as InvalidArgument' {
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'OnlyTrialsWithoutPaymentMethod' -ErrorVariable failures -ErrorAction SilentlyContinue 6>$null
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyValueNotAllowed*'
        }

        It 'Should report an unknown scope with Microsoft''s "Invalid scope."' {
            $null = Get-MSCommerceProductPolicies -PolicyId $policyId -Scope 'Nonsense' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'BadRequest*'
            $failures[0].Exception.Message | Should -BeLike '*Invalid scope.*'
        }

        It 'Should stop with ConnectionError when nothing listens' {
            try {
                Disconnect-MSCommerce
                $env:MSCOMMERCE_URI = 'http://127.0.0.1:9'
                $failure = $null
                try {
                    Get-MSCommercePolicies -Token 'x'
                }
                catch {
                    $failure = $_
                }
                $failure.CategoryInfo.Category | Should -Be 'ConnectionError'
            }
            finally {
                $env:MSCOMMERCE_URI = $service.Uri
                Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>$null
            }
        }
    }

    Context 'Many products at once' {
        It 'Should disable every product with one pipeline' {
            $null = Get-MSCommerceProductPolicies -PolicyId $policyId | Update-MSCommerceProductPolicy -Value 'Disabled' 6>$null
            @(Get-MSCommerceProductPolicies -PolicyId $policyId | Where-Object -Property PolicyValue -NE 'Disabled').Count | Should -Be 0
        }

        It 'Should bring the products to a baseline and then find nothing left to change' {
            $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Enabled' -Exception @{ $powerBiPro = 'Disabled' })
            $changes.Count | Should -BeGreaterThan 0
            $changes.TargetId | Should -Not -Contain $powerBiPro
            (Get-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro).PolicyValue | Should -Be 'Disabled'
            @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Enabled' -Exception @{ $powerBiPro = 'Disabled' }).Count | Should -Be 0
        }

        It 'Should change nothing with -WhatIf' {
            $before = @(Get-MSCommerceAuditLog).Count
            Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -IncludeOfferTypes -WhatIf
            @(Get-MSCommerceAuditLog).Count | Should -Be $before
        }
    }

    Context 'Application sign-in' {
        It 'Should sign an application in with -ClientId, -ClientSecret and -TenantId and change a product' {
            $tenantId = ((Invoke-MSCommerceTestCli -Service $service -ArgumentList @('tenant', 'list'))[0] -split "`t")[0]
            $splatCli = @{
                Service      = $service
                ArgumentList = @('app', 'create', '--tenant', $tenantId, '--name', 'Pester baseline', '--permission', 'Policy.ReadWrite.AllowSelfServicePurchase')
            }
            $created = Invoke-MSCommerceTestCli @splatCli
            $clientId = (($created | Where-Object -FilterScript { $_ -like 'client_id:*' }) -replace '^client_id:\s*', '').Trim()
            $clientSecret = (($created | Where-Object -FilterScript { $_ -like 'client_secret:*' }) -replace '^client_secret:\s*', '').Trim()
            $secret = ConvertTo-SecureString -String $clientSecret -AsPlainText -Force

            Connect-MSCommerce -Uri $service.Uri -ClientId $clientId -ClientSecret $secret -TenantId $tenantId 6>$null
            (Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Enabled' 6>$null).PolicyValue | Should -Be 'Enabled'
            (Get-MSCommerceAuditLog -First 1).ActorType | Should -Be 'App'
        }

        It 'Should refuse a wrong client secret with its own message' {
            $tenantId = ((Invoke-MSCommerceTestCli -Service $service -ArgumentList @('tenant', 'list'))[0] -split "`t")[0]
            $wrong = ConvertTo-SecureString -String 'not-the-secret' -AsPlainText -Force
            { Connect-MSCommerce -Uri $service.Uri -ClientId ([guid]::NewGuid().ToString()) -ClientSecret $wrong -TenantId $tenantId } |
                Should -Throw -ExpectedMessage 'Unable to establish connection*'
            Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>$null
        }
    }

    Context 'Bring your own token' {
        It 'Should work with a token from the token endpoint given to -AccessToken and to -Token' {
            $form = @{ grant_type = 'password'; username = $service.AdminUser; password = $service.AdminPassword }
            $answer = Invoke-RestMethod -Method Post -Uri "$($service.Uri)/oauth2/v2.0/token" -Body $form -ContentType 'application/x-www-form-urlencoded' -UseBasicParsing
            (Get-MSCommercePolicy -PolicyId $policyId -Token $answer.access_token).PolicyId | Should -Be $policyId
            Connect-MSCommerce -Uri $service.Uri -AccessToken $answer.access_token 6>$null
            (Get-MSCommercePolicies).PolicyId | Should -Contain $policyId
        }

        It 'Should name the real cause of a 401 instead of "credentials have expired"' {
            $form = @{ grant_type = 'password'; username = $service.AdminUser; password = $service.AdminPassword }
            $answer = Invoke-RestMethod -Method Post -Uri "$($service.Uri)/oauth2/v2.0/token" -Body $form -ContentType 'application/x-www-form-urlencoded' -UseBasicParsing
            $parts = $answer.access_token.Split('.')
            $signature = $parts[2].ToCharArray()
            $signature[0] = if ($signature[0] -eq 'A') { 'B' } else { 'A' }
            $altered = '{0}.{1}.{2}' -f $parts[0], $parts[1], (-join $signature)
            $failure = $null
            try {
                Get-MSCommercePolicies -Token $altered
            }
            catch {
                $failure = $_
            }
            $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $failure.FullyQualifiedErrorId | Should -BeLike 'TokenInvalidSignature*'
            $failure.Exception.Message | Should -BeLike 'The access token signature does not verify*'
        }
    }
}
